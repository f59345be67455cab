package io.tsbackfill.testbed;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** One test database: SQL helpers that fail the test with the statement in the message. */
public final class TestDb implements AutoCloseable {
  private final TestServer server;
  private final String name;

  private TestDb(TestServer server, String name) {
    this.server = server;
    this.name = name;
  }

  static TestDb create(TestServer server, String name, boolean withExtension) {
    try (Connection c = server.connect("postgres")) {
      TestBed.exec(c, "DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
      TestBed.exec(c, "CREATE DATABASE \"" + name + "\"");
    } catch (SQLException e) {
      throw new IllegalStateException("creating database " + name + " on " + server.name(), e);
    }
    TestDb db = new TestDb(server, name);
    if (withExtension) {
      db.exec("CREATE EXTENSION IF NOT EXISTS timescaledb");
    }
    return db;
  }

  public String name() {
    return name;
  }

  public TestServer server() {
    return server;
  }

  /** The connection string a user would pass to the tool. */
  public String uri() {
    return server.uri(name);
  }

  public Connection connect() {
    try {
      return server.connect(name);
    } catch (SQLException e) {
      throw new IllegalStateException("connecting to " + name + " on " + server.name(), e);
    }
  }

  /**
   * {@code sql} written against the tool's normalized catalog relations ({@code {chunk}}, {@code
   * {chunk_slice}}; see {@code CatalogLayout}), made runnable on this database's TimescaleDB
   * version: tests ask the catalog the way the tool does.
   */
  public String catalog(String sql) {
    return layout().expand(sql);
  }

  /** How this database's TimescaleDB catalog is shaped and what it can do, as the tool reads it. */
  public io.tsbackfill.catalog.CatalogLayout layout() {
    try (Connection c = connect()) {
      return io.tsbackfill.catalog.Catalog.inspect(c, io.tsbackfill.db.Side.TARGET).layout();
    } catch (SQLException e) {
      throw new IllegalStateException("reading the catalog layout of " + name, e);
    }
  }

  public void exec(String sql) {
    try (Connection c = connect();
        Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "on the " + server.name() + " database: " + e.getMessage() + "\n  in: " + sql, e);
    }
  }

  /** Runs a SQL fixture from {@code src/test/resources/fixtures/NAME.sql}. */
  public void fixture(String fixture) {
    try (InputStream in = TestDb.class.getResourceAsStream("/fixtures/" + fixture + ".sql")) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + fixture);
      }
      exec(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public List<List<String>> rows(String sql) {
    try (Connection c = connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      List<List<String>> out = new ArrayList<>();
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          row.add(rs.getString(i));
        }
        out.add(row);
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException(
          "on the " + server.name() + " database: " + e.getMessage() + "\n  in: " + sql, e);
    }
  }

  public String value(String sql) {
    List<List<String>> r = rows(sql);
    return r.isEmpty() ? null : r.get(0).get(0);
  }

  public long count(String sql) {
    return Long.parseLong(value(sql));
  }

  /**
   * Row count plus an order-independent hash of every row's text, optionally restricted: equal
   * fingerprints on both sides mean the same multiset of rows.
   */
  public String fingerprint(String table, String where) {
    return value(
        "SELECT count(*) || ':' || COALESCE(sum(hashtext(t::text)::bigint), 0)"
            + " FROM "
            + table
            + " t"
            + (where == null ? "" : " WHERE " + where));
  }

  public boolean exists(String regclass) {
    return value("SELECT to_regclass('" + regclass.replace("'", "''") + "') IS NOT NULL")
        .equals("t");
  }

  @Override
  public void close() {
    try (Connection c = server.connect("postgres")) {
      TestBed.exec(c, "DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
    } catch (SQLException e) {
      // Left behind; the next run's DROP IF EXISTS or a new name avoids it.
    }
  }
}
