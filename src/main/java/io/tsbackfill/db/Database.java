package io.tsbackfill.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import io.tsbackfill.error.BackfillException;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * One side's connection pool. The only class that creates DataSources. Every failure to connect is
 * turned into a {@link BackfillException} that names the side and the endpoint (never the password)
 * and carries that side's exit code.
 */
public final class Database implements AutoCloseable {
  private final ConnectionSpec spec;
  private final HikariDataSource pool;

  private Database(ConnectionSpec spec, HikariDataSource pool) {
    this.spec = spec;
    this.pool = pool;
  }

  /** Opens a pool of at most {@code size} connections and checks that one can be made. */
  public static Database open(ConnectionSpec spec, int size) {
    HikariConfig cfg = new HikariConfig();
    cfg.setPoolName("backfill-" + spec.side().label());
    cfg.setJdbcUrl(spec.jdbcUrl());
    cfg.setDataSourceProperties(spec.jdbcProperties());
    cfg.setMaximumPoolSize(Math.max(1, size));
    cfg.setMinimumIdle(0);
    cfg.setConnectionTimeout(60_000);
    cfg.setInitializationFailTimeout(1);
    cfg.setMaxLifetime(0);
    cfg.setIdleTimeout(0);
    cfg.setKeepaliveTime(120_000);
    try {
      return new Database(spec, new HikariDataSource(cfg));
    } catch (HikariPool.PoolInitializationException e) {
      throw connectFailure(spec, e.getCause() != null ? e.getCause() : e);
    } catch (RuntimeException e) {
      throw connectFailure(spec, e);
    }
  }

  private static BackfillException connectFailure(ConnectionSpec spec, Throwable cause) {
    String reason = spec.tlsFailure(cause);
    if (reason == null) {
      reason =
          cause instanceof SQLException sql ? SqlStates.serverMessage(sql) : cause.getMessage();
    }
    return new BackfillException(
        spec.side().exitCode(),
        "cannot connect to the " + spec.describe() + ": " + Redactor.redact(reason),
        cause);
  }

  public Side side() {
    return spec.side();
  }

  public ConnectionSpec spec() {
    return spec;
  }

  /** Borrows a connection (autocommit on); the caller closes it to give it back. */
  public Connection connect() {
    try {
      return pool.getConnection();
    } catch (SQLException e) {
      throw connectFailure(spec, e);
    }
  }

  /** Throws a connection out of the pool, for one that may be broken. */
  public void discard(Connection c) {
    pool.evictConnection(c);
  }

  /** Wraps a database error on this side, with what was being done. */
  public BackfillException error(String what, SQLException e) {
    return side().error(what + ": " + SqlStates.serverMessage(e), e);
  }

  @Override
  public void close() {
    pool.close();
  }
}
