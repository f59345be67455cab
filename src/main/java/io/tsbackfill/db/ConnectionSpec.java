package io.tsbackfill.db;

import io.tsbackfill.error.BackfillException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import org.postgresql.Driver;

/**
 * A connection to one side, parsed from what users paste: libpq URIs ({@code postgres://} and
 * {@code postgresql://}), libpq {@code key=value} strings and {@code jdbc:postgresql:} URLs.
 * Missing parts are filled from libpq's environment ({@code PGHOST}, {@code PGPORT}, ...) and the
 * password file, as psql does. {@link #jdbcUrl()} and {@link #jdbcProperties()} hand the result to
 * pgjdbc.
 *
 * <p>{@link #toString()} never contains the password, and a string that holds one is never echoed
 * when it is refused: the {@link Redactor} masks passwords by where they stand, and a string that
 * does not parse has no reliable structure.
 */
public final class ConnectionSpec {
  public static final String APPLICATION_NAME = "timescaledb-backfill";
  private static final Set<String> SSL_MODES =
      Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");
  private static final Map<String, String> ENV_KEYS =
      Map.of(
          "host", "PGHOST",
          "port", "PGPORT",
          "dbname", "PGDATABASE",
          "user", "PGUSER",
          "password", "PGPASSWORD",
          "sslmode", "PGSSLMODE",
          "sslrootcert", "PGSSLROOTCERT",
          "sslcert", "PGSSLCERT",
          "sslkey", "PGSSLKEY",
          "connect_timeout", "PGCONNECT_TIMEOUT");
  private static final Pattern PASSWORD_KEY = Pattern.compile("(?i)(^|\\s)(ssl)?password\\s*=");
  private static final Set<String> KNOWN =
      Set.of(
          "host",
          "hostaddr",
          "port",
          "dbname",
          "user",
          "password",
          "sslmode",
          "sslrootcert",
          "sslcert",
          "sslkey",
          "sslpassword",
          "connect_timeout",
          "application_name",
          "options",
          "target_session_attrs",
          "keepalives",
          "keepalives_idle",
          "passfile");

  private final Side side;
  private final Map<String, String> params;

  /** The client's home folder, where libpq looks for {@code .postgresql/root.crt}. */
  private final Path home;

  private ConnectionSpec(Side side, Map<String, String> params, Path home) {
    this.side = side;
    this.params = params;
    this.home = home;
  }

  public Side side() {
    return side;
  }

  public String host() {
    return params.get("host");
  }

  public String port() {
    return params.get("port");
  }

  public String database() {
    return params.get("dbname");
  }

  public String user() {
    return params.get("user");
  }

  public String sslMode() {
    return params.get("sslmode");
  }

  /** Parses {@code text}, taking what it leaves out from {@code env} as libpq would. */
  public static ConnectionSpec parse(Side side, String text, ClientEnvironment env) {
    if (text == null || text.isBlank()) {
      throw BackfillException.usage("--" + side.label() + ": the connection string is empty");
    }
    String t = text.strip();
    Map<String, String> p;
    if (t.startsWith("jdbc:")) {
      p = parseJdbc(side, t);
    } else if (t.startsWith("postgres://") || t.startsWith("postgresql://")) {
      p = parseUri(side, t);
    } else if (t.contains("=")) {
      p = parseKeyValue(side, t);
    } else {
      throw BackfillException.usage(
          "--"
              + side.label()
              + ": not a connection string (expected postgres://..., key=value pairs or"
              + " jdbc:postgresql://...)");
    }
    return new ConnectionSpec(side, resolve(side, p, env), env.home());
  }

  private static Map<String, String> resolve(
      Side side, Map<String, String> given, ClientEnvironment client) {
    Map<String, String> env = client.variables();
    Map<String, String> p = new LinkedHashMap<>(given);
    for (var e : ENV_KEYS.entrySet()) {
      if (isBlank(p.get(e.getKey())) && !isBlank(env.get(e.getValue()))) {
        p.put(e.getKey(), env.get(e.getValue()));
      }
    }
    if (!isBlank(p.get("hostaddr")) && isBlank(p.get("host"))) {
      p.put("host", p.get("hostaddr"));
    }
    if (isBlank(p.get("host"))) {
      p.put("host", "localhost");
    }
    if (p.get("host").startsWith("/")) {
      throw BackfillException.usage(
          "--"
              + side.label()
              + ": Unix-domain socket directories ("
              + p.get("host")
              + ") are not supported; give a host name or address, e.g. host=127.0.0.1");
    }
    if (isBlank(p.get("port"))) {
      p.put("port", "5432");
    }
    for (String port : p.get("port").split(",")) {
      if (!port.strip().matches("\\d{1,5}")) {
        throw BackfillException.usage("--" + side.label() + ": invalid port '" + port + "'");
      }
    }
    if (isBlank(p.get("user"))) {
      p.put("user", client.osUser());
    }
    if (isBlank(p.get("dbname"))) {
      p.put("dbname", p.get("user"));
    }
    if (isBlank(p.get("sslmode"))) {
      p.put("sslmode", "prefer");
    }
    String mode = p.get("sslmode").toLowerCase(Locale.ROOT);
    if (!SSL_MODES.contains(mode)) {
      throw BackfillException.usage(
          "--" + side.label() + ": invalid sslmode '" + p.get("sslmode") + "'");
    }
    p.put("sslmode", mode);
    if (isBlank(p.get("password"))) {
      Map<String, String> pgpassEnv = env;
      if (!isBlank(p.get("passfile"))) {
        pgpassEnv = new LinkedHashMap<>(env);
        pgpassEnv.put("PGPASSFILE", p.get("passfile"));
      }
      String firstHost = p.get("host").split(",")[0].strip();
      int firstPort = Integer.parseInt(p.get("port").split(",")[0].strip());
      PgPass.lookup(pgpassEnv, client.home(), firstHost, firstPort, p.get("dbname"), p.get("user"))
          .ifPresent(pw -> p.put("password", pw));
    }
    p.put("application_name", APPLICATION_NAME);
    return p;
  }

  static Map<String, String> parseUri(Side side, String uri) {
    // A password whose special characters were not percent-encoded spills into the host, port,
    // path or query: while the URI holds a password, errors never echo pieces of it.
    int start = uri.indexOf("://") + 3;
    int lastAt = uri.lastIndexOf('@');
    boolean secret = lastAt > start && uri.substring(start, lastAt).contains(":");
    Map<String, String> p = new LinkedHashMap<>();
    String rest = uri.substring(start);
    String query = null;
    int q = rest.indexOf('?');
    if (q >= 0) {
      query = rest.substring(q + 1);
      rest = rest.substring(0, q);
    }
    int slash = rest.indexOf('/');
    String authority = slash >= 0 ? rest.substring(0, slash) : rest;
    if (slash >= 0 && slash + 1 < rest.length()) {
      p.put("dbname", decode(side, rest.substring(slash + 1)));
    }
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      String userInfo = authority.substring(0, at);
      authority = authority.substring(at + 1);
      int colon = userInfo.indexOf(':');
      if (colon >= 0) {
        p.put("user", decode(side, userInfo.substring(0, colon)));
        p.put("password", decode(side, userInfo.substring(colon + 1)));
      } else {
        p.put("user", decode(side, userInfo));
      }
    }
    if (!authority.isEmpty()) {
      StringBuilder hosts = new StringBuilder();
      StringBuilder ports = new StringBuilder();
      boolean anyPort = false;
      for (String hp : authority.split(",")) {
        String host = hp;
        String port = "";
        if (hp.startsWith("[")) {
          int end = hp.indexOf(']');
          if (end < 0) {
            throw BackfillException.usage("--" + side.label() + ": unclosed '[' in host");
          }
          host = hp.substring(1, end);
          if (hp.length() > end + 1 && hp.charAt(end + 1) == ':') {
            port = hp.substring(end + 2);
          }
        } else if (hp.contains(":")) {
          host = hp.substring(0, hp.indexOf(':'));
          port = hp.substring(hp.indexOf(':') + 1);
        }
        if (hosts.length() > 0) {
          hosts.append(',');
          ports.append(',');
        }
        if (secret && !port.isEmpty() && !port.matches("\\d{1,5}")) {
          throw BackfillException.usage(
              "--"
                  + side.label()
                  + ": invalid port in a URI that holds a password (not shown);"
                  + " percent-encode special characters of the password, e.g. / as %2F");
        }
        hosts.append(decode(side, host));
        ports.append(port.isEmpty() ? "5432" : port);
        anyPort |= !port.isEmpty();
      }
      if (!hosts.toString().replace(",", "").isEmpty()) {
        p.put("host", hosts.toString());
      }
      if (anyPort) {
        p.put("port", ports.toString());
      }
    }
    if (query != null && !query.isEmpty()) {
      for (String kv : query.split("&")) {
        if (kv.isEmpty()) {
          continue;
        }
        int eq = kv.indexOf('=');
        if (eq < 0) {
          throw BackfillException.usage(
              "--"
                  + side.label()
                  + ": invalid URI parameter "
                  + (secret
                      ? "in a URI that holds a password (not shown); percent-encode special"
                          + " characters of the password, e.g. ? as %3F"
                      : "'" + decode(side, kv) + "'"));
        }
        putKnown(
            side, p, decode(side, kv.substring(0, eq)), decode(side, kv.substring(eq + 1)), secret);
      }
    }
    return p;
  }

  static Map<String, String> parseKeyValue(Side side, String text) {
    // A quote inside a password that was not escaped ends its value early, and the rest reads
    // as more keys: while the string holds a password, errors never echo pieces of it.
    boolean secret = PASSWORD_KEY.matcher(text).find();
    Map<String, String> p = new LinkedHashMap<>();
    int i = 0;
    int n = text.length();
    while (i < n) {
      while (i < n && Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      if (i >= n) {
        break;
      }
      int keyStart = i;
      while (i < n && text.charAt(i) != '=' && !Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      String key = text.substring(keyStart, i);
      while (i < n && Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      if (i >= n || text.charAt(i) != '=') {
        throw BackfillException.usage(
            "--"
                + side.label()
                + ": missing '=' after "
                + (secret && !KNOWN.contains(key)
                    ? "the word at character "
                        + (keyStart + 1)
                        + " (not shown: the string"
                        + " holds a password; put the password in single quotes and escape '"
                        + " and \\ in it as \\' and \\\\)"
                    : "'" + key + "'")
                + " in connection string");
      }
      i++;
      while (i < n && Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      StringBuilder value = new StringBuilder();
      if (i < n && text.charAt(i) == '\'') {
        i++;
        boolean closed = false;
        while (i < n) {
          char c = text.charAt(i++);
          if (c == '\\' && i < n) {
            value.append(text.charAt(i++));
          } else if (c == '\'') {
            closed = true;
            break;
          } else {
            value.append(c);
          }
        }
        if (!closed) {
          throw BackfillException.usage(
              "--"
                  + side.label()
                  + ": unterminated quoted value for "
                  + (secret && !KNOWN.contains(key)
                      ? "the word at character " + (keyStart + 1)
                      : "'" + key + "'"));
        }
      } else {
        while (i < n && !Character.isWhitespace(text.charAt(i))) {
          char c = text.charAt(i++);
          if (c == '\\' && i < n) {
            value.append(text.charAt(i++));
          } else {
            value.append(c);
          }
        }
      }
      putKnown(side, p, key, value.toString(), secret);
    }
    return p;
  }

  private static Map<String, String> parseJdbc(Side side, String url) {
    if (!url.startsWith("jdbc:postgresql:")) {
      throw BackfillException.usage(
          "--" + side.label() + ": only jdbc:postgresql: URLs are supported");
    }
    Properties props = Driver.parseURL(url, new Properties());
    if (props == null) {
      throw BackfillException.usage("--" + side.label() + ": invalid JDBC URL");
    }
    Map<String, String> p = new LinkedHashMap<>();
    for (String name : props.stringPropertyNames()) {
      String v = props.getProperty(name);
      switch (name) {
        case "PGHOST" -> p.put("host", v);
        case "PGPORT" -> p.put("port", v);
        case "PGDBNAME" -> p.put("dbname", v);
        case "user",
            "password",
            "sslmode",
            "sslrootcert",
            "sslcert",
            "sslkey",
            "sslpassword",
            "options" ->
            p.put(name, v);
        case "connectTimeout" -> p.put("connect_timeout", v);
        case "ApplicationName" -> p.put("application_name", v);
        default -> p.put("jdbc." + name, v);
      }
    }
    return p;
  }

  private static void putKnown(
      Side side, Map<String, String> p, String key, String value, boolean secret) {
    if (!KNOWN.contains(key)) {
      throw BackfillException.usage(
          "--"
              + side.label()
              + ": unknown connection parameter"
              + (secret
                  ? " (not shown: the string holds a password; quote and escape its value)"
                  : " '" + key + "'"));
    }
    p.put(key, value);
  }

  private static String decode(Side side, String s) {
    try {
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      // The message would quote the text, which may be a password.
      throw BackfillException.usage(
          "--"
              + side.label()
              + ": invalid percent-encoding in the URI (a % must be followed by"
              + " two hex digits; write % itself as %25)");
    }
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }

  /** A pgjdbc URL with host, port and database; everything else goes in the properties. */
  public String jdbcUrl() {
    String[] hosts = host().split(",");
    String[] ports = port().split(",");
    StringBuilder sb = new StringBuilder("jdbc:postgresql://");
    for (int i = 0; i < hosts.length; i++) {
      if (i > 0) {
        sb.append(',');
      }
      String h = hosts[i].strip();
      sb.append(h.contains(":") ? "[" + h + "]" : h);
      sb.append(':').append(ports[Math.min(i, ports.length - 1)].strip());
    }
    sb.append('/').append(java.net.URLEncoder.encode(database(), StandardCharsets.UTF_8));
    return sb.toString();
  }

  public Properties jdbcProperties() {
    Properties props = new Properties();
    props.setProperty("user", user());
    if (params.get("password") != null) {
      props.setProperty("password", params.get("password"));
    }
    props.setProperty("ApplicationName", APPLICATION_NAME);
    props.setProperty("sslmode", jdbcSslMode());
    copy(props, "sslrootcert", "sslrootcert");
    copy(props, "sslcert", "sslcert");
    if (!isBlank(params.get("sslkey"))) {
      props.setProperty(
          "sslkey",
          ClientKeys.forPgjdbc(side, params.get("sslkey").strip(), params.get("sslpassword")));
    }
    copy(props, "sslpassword", "sslpassword");
    copy(props, "options", "options");
    String timeout = params.get("connect_timeout");
    props.setProperty("connectTimeout", isBlank(timeout) ? "10" : timeout.strip());
    if (props.getProperty("sslmode").startsWith("verify-")) {
      props.setProperty("sslfactory", "org.postgresql.ssl.LibPQFactory");
    }
    if (params.containsKey("target_session_attrs")) {
      String v = params.get("target_session_attrs");
      props.setProperty("targetServerType", v.equals("read-write") ? "primary" : v);
    }
    for (var e : params.entrySet()) {
      if (e.getKey().startsWith("jdbc.")) {
        props.setProperty(e.getKey().substring(5), e.getValue());
      }
    }
    props.setProperty("tcpKeepAlive", "true");
    return props;
  }

  /**
   * pgjdbc's sslmode for libpq's: the same, except that libpq's {@code require} verifies the server
   * certificate against a root CA file when one exists ({@code sslrootcert}, or {@code
   * ~/.postgresql/root.crt}), which pgjdbc's {@code require} never does: that is {@code verify-ca}
   * for pgjdbc.
   */
  private String jdbcSslMode() {
    if (!"require".equals(sslMode())) {
      return sslMode();
    }
    String root = params.get("sslrootcert");
    Path file =
        isBlank(root) ? home.resolve(".postgresql").resolve("root.crt") : Path.of(root.strip());
    return Files.isRegularFile(file) ? "verify-ca" : "require";
  }

  private void copy(Properties props, String from, String to) {
    String v = params.get(from);
    if (v != null && !v.isBlank()) {
      props.setProperty(to, v);
    }
  }

  /**
   * A plain reason for TLS failures that pgjdbc reports in Java's terms (PKIX, hostname verifiers),
   * naming the setting to look at; null for other failures.
   */
  public String tlsFailure(Throwable cause) {
    for (Throwable c = cause; c != null; c = c.getCause()) {
      String m = String.valueOf(c.getMessage());
      if (c instanceof java.security.cert.CertPathBuilderException
          || c instanceof java.security.cert.CertPathValidatorException
          || m.contains("PKIX path building failed")) {
        String root = params.get("sslrootcert");
        return "TLS: the server certificate is not signed by a CA in sslrootcert "
            + (isBlank(root) ? "(default ~/.postgresql/root.crt)" : root)
            + " (sslmode="
            + sslMode()
            + ")";
      }
      if (m.contains("could not be verified by hostnameverifier")) {
        return "TLS: the server certificate is not issued for host name "
            + host()
            + " (sslmode=verify-full checks it; connect by the name in the certificate)";
      }
    }
    return null;
  }

  /** For messages: side, endpoint, database and user; never the password. */
  public String describe() {
    return side.label()
        + " database "
        + database()
        + " at "
        + host()
        + ":"
        + port()
        + " as user "
        + user();
  }

  @Override
  public String toString() {
    return describe();
  }
}
