package io.tsbackfill.testbed;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * One PostgreSQL + TimescaleDB server of the test bed, reached as a superuser over TCP. Local
 * servers come from {@code BACKFILL_TEST_SOURCE_URL} / {@code BACKFILL_TEST_TARGET_URL} (defaults:
 * the clusters that {@code scripts/testbed/servers.sh} starts); container servers from {@link
 * TimescaleContainers}. {@code programs} runs pg_dump and psql against it.
 */
public record TestServer(
    String name, String host, int port, String user, String password, ClientPrograms programs) {

  /** A server whose client programs are this machine's. */
  public TestServer(String name, String host, int port, String user, String password) {
    this(name, host, port, user, password, ClientPrograms.LOCAL);
  }

  public static TestServer fromUrl(String name, String url) {
    URI u = URI.create(url.replaceFirst("^postgres(ql)?://", "http://"));
    String user = "postgres";
    String password = null;
    if (u.getUserInfo() != null) {
      String[] parts = u.getUserInfo().split(":", 2);
      user = parts[0];
      password = parts.length > 1 ? parts[1] : null;
    }
    return new TestServer(name, u.getHost(), u.getPort() < 0 ? 5432 : u.getPort(), user, password);
  }

  /** A libpq URI for a database on this server, as a user of the tool would write it. */
  public String uri(String database) {
    return "postgres://"
        + user
        + (password == null ? "" : ":" + password)
        + "@"
        + host
        + ":"
        + port
        + "/"
        + database
        + "?sslmode=disable";
  }

  public Connection connect(String database) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    if (password != null) {
      p.setProperty("password", password);
    }
    p.setProperty("sslmode", "disable");
    p.setProperty("ApplicationName", "backfill-tests");
    return DriverManager.getConnection(
        "jdbc:postgresql://" + host + ":" + port + "/" + database, p);
  }
}
