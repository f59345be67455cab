package io.tsbackfill.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away certificate authority made with the {@code openssl} command in a temporary folder: a
 * server certificate for {@code localhost} only (no IP address, so 127.0.0.1 fails host-name
 * checks), client certificates for one user with keys in the formats libpq users have, and a
 * second, unrelated CA to play the wrong one.
 */
public final class TestCa implements AutoCloseable {
  /** The password of the encrypted client key. */
  public static final String KEY_PASSWORD = "key-pass-phrase";

  private final Path dir;

  private TestCa(Path dir) {
    this.dir = dir;
  }

  /** Makes the CA, the server certificate and client certificates for {@code clientUser}. */
  public static TestCa create(String clientUser) {
    try {
      Path dir =
          Files.createTempDirectory(
              "backfill-ca-",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
      TestCa ca = new TestCa(dir);
      String ec = "ec_paramgen_curve:prime256v1";
      ca.openssl(
          "req",
          "-x509",
          "-newkey",
          "ec",
          "-pkeyopt",
          ec,
          "-nodes",
          "-keyout",
          "ca.key",
          "-out",
          "ca.crt",
          "-days",
          "2",
          "-subj",
          "/CN=backfill test CA");
      ca.openssl(
          "req",
          "-x509",
          "-newkey",
          "ec",
          "-pkeyopt",
          ec,
          "-nodes",
          "-keyout",
          "other-ca.key",
          "-out",
          "other-ca.crt",
          "-days",
          "2",
          "-subj",
          "/CN=some other CA");
      Files.writeString(dir.resolve("server.ext"), "subjectAltName=DNS:localhost\n");
      ca.openssl(
          "req",
          "-new",
          "-newkey",
          "ec",
          "-pkeyopt",
          ec,
          "-nodes",
          "-keyout",
          "server.key",
          "-out",
          "server.csr",
          "-subj",
          "/CN=localhost");
      ca.sign("server", "server.ext");

      // RSA: PKCS#8 PEM (openssl 3's default), PKCS#1 PEM ("traditional"), one certificate.
      ca.openssl(
          "genpkey",
          "-algorithm",
          "RSA",
          "-pkeyopt",
          "rsa_keygen_bits:2048",
          "-out",
          "client-rsa.key");
      ca.openssl("rsa", "-in", "client-rsa.key", "-traditional", "-out", "client-rsa-pkcs1.key");
      ca.openssl(
          "req",
          "-new",
          "-key",
          "client-rsa.key",
          "-out",
          "client-rsa.csr",
          "-subj",
          "/CN=" + clientUser);
      ca.sign("client-rsa", null);
      // EC: SEC1 PEM ("EC PRIVATE KEY"), PKCS#8 DER, encrypted PKCS#8 PEM.
      ca.openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "client-ec.key");
      ca.openssl(
          "pkcs8",
          "-topk8",
          "-nocrypt",
          "-in",
          "client-ec.key",
          "-outform",
          "DER",
          "-out",
          "client-ec.pk8");
      ca.openssl(
          "pkcs8",
          "-topk8",
          "-in",
          "client-ec.key",
          "-out",
          "client-ec-encrypted.key",
          "-passout",
          "pass:" + KEY_PASSWORD);
      ca.openssl(
          "req",
          "-new",
          "-key",
          "client-ec.key",
          "-out",
          "client-ec.csr",
          "-subj",
          "/CN=" + clientUser);
      ca.sign("client-ec", null);
      try (var files = Files.list(dir)) {
        for (Path f : files.toList()) {
          if (f.toString().endsWith(".key") || f.toString().endsWith(".pk8")) {
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
          }
        }
      }
      return ca;
    } catch (IOException e) {
      throw new UncheckedIOException("making the test CA", e);
    }
  }

  /** A file of the CA's folder, e.g. {@code ca.crt}, {@code client-ec.key}. */
  public Path file(String name) {
    return dir.resolve(name);
  }

  /** Copies the server's certificate, key and the CA into {@code serverDir} for the server. */
  public List<String> serverSettings(Path serverDir) {
    try {
      for (String f : List.of("server.crt", "server.key", "ca.crt")) {
        Files.copy(file(f), serverDir.resolve(f));
      }
      // The server refuses a key file others may read.
      Files.setPosixFilePermissions(
          serverDir.resolve("server.key"), PosixFilePermissions.fromString("rw-------"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return List.of(
        "ssl = on",
        "ssl_cert_file = '" + serverDir.resolve("server.crt") + "'",
        "ssl_key_file = '" + serverDir.resolve("server.key") + "'",
        "ssl_ca_file = '" + serverDir.resolve("ca.crt") + "'");
  }

  @Override
  public void close() {
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(dir);
    } catch (IOException ignored) {
      // A temporary folder left behind.
    }
  }

  private void sign(String name, String extFile) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "x509",
                "-req",
                "-in",
                name + ".csr",
                "-CA",
                "ca.crt",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "2",
                "-out",
                name + ".crt"));
    if (extFile != null) {
      args.addAll(List.of("-extfile", extFile));
    }
    openssl(args.toArray(String[]::new));
  }

  private void openssl(String... args) {
    List<String> cmd = new ArrayList<>(List.of("openssl"));
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "running openssl (is the openssl command installed?): " + String.join(" ", cmd), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
