package io.tsbackfill.db;

import io.tsbackfill.error.BackfillException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.PBEParameterSpec;

/**
 * Client keys as libpq takes them, for pgjdbc. libpq reads {@code sslkey} as PEM (PKCS#8, PKCS#1
 * "RSA PRIVATE KEY" or SEC1 "EC PRIVATE KEY"); the pgjdbc this tool ships (42.7.8) reads only
 * PKCS#8 DER ({@code .pk8}) and PKCS#12 ({@code .p12}/{@code .pfx}). A PEM key is therefore
 * converted, in memory, to PKCS#8 DER in a private temporary file (owner-only, deleted at exit)
 * that is handed to pgjdbc instead; anything else is passed through.
 *
 * <p>An encrypted PKCS#8 key stays encrypted and {@code sslpassword} decrypts it, as with libpq.
 * openssl 3 encrypts with PBES2 (AES), which pgjdbc's key manager cannot open ("Cannot find any
 * provider supporting PBES2"); such a key is decrypted in memory and written encrypted again with
 * the same password under PBEWithSHA1AndDESede, a scheme pgjdbc opens, so no plain key ever reaches
 * the disk.
 */
final class ClientKeys {
  private static final Pattern PEM =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\s*(.*?)-----END \\1-----", Pattern.DOTALL);
  private static final byte[] RSA_ALGORITHM = {
    0x30,
    0x0d,
    0x06,
    0x09,
    0x2a,
    (byte) 0x86,
    0x48,
    (byte) 0x86,
    (byte) 0xf7,
    0x0d,
    0x01,
    0x01,
    0x01,
    0x05,
    0x00
  };
  private static final byte[] EC_PUBLIC_KEY_OID = {
    0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01
  };
  private static final Map<String, String> CONVERTED = new ConcurrentHashMap<>();
  private static final String PBES2 = "1.2.840.113549.1.5.13";
  private static final String PGJDBC_SCHEME = "PBEWithSHA1AndDESede";

  private ClientKeys() {}

  /** The path to give pgjdbc for libpq's {@code sslkey=path} (and its sslpassword, or null). */
  static String forPgjdbc(Side side, String path, String password) {
    byte[] content;
    try {
      content = Files.readAllBytes(Path.of(path));
    } catch (IOException e) {
      return path; // pgjdbc reports the unreadable file when it connects
    }
    String text = new String(content, StandardCharsets.US_ASCII);
    boolean pem = text.contains("-----BEGIN ");
    byte[] der = pem ? toPkcs8Der(side, path, text) : content;
    boolean pbes2 = password != null && isPbes2(der);
    if (!pem && !pbes2) {
      return path;
    }
    return CONVERTED.computeIfAbsent(
        path, p -> write(side, p, pbes2 ? reencrypt(side, p, der, password) : der));
  }

  private static boolean isPbes2(byte[] der) {
    try {
      String scheme = new EncryptedPrivateKeyInfo(der).getAlgName();
      return PBES2.equals(scheme) || "PBES2".equalsIgnoreCase(scheme);
    } catch (IOException | RuntimeException e) {
      return false; // not an encrypted key
    }
  }

  private static byte[] reencrypt(Side side, String path, byte[] der, String password) {
    char[] pw = password.toCharArray();
    try {
      EncryptedPrivateKeyInfo in = new EncryptedPrivateKeyInfo(der);
      AlgorithmParameters params = in.getAlgParameters();
      String scheme = params.toString(); // e.g. PBEWithHmacSHA256AndAES_256
      Cipher decrypt = Cipher.getInstance(scheme);
      decrypt.init(
          Cipher.DECRYPT_MODE,
          SecretKeyFactory.getInstance(scheme).generateSecret(new PBEKeySpec(pw)),
          params);
      byte[] plain = in.getKeySpec(decrypt).getEncoded();
      byte[] salt = new byte[16];
      new SecureRandom().nextBytes(salt);
      PBEParameterSpec spec = new PBEParameterSpec(salt, 20_000);
      Cipher encrypt = Cipher.getInstance(PGJDBC_SCHEME);
      encrypt.init(
          Cipher.ENCRYPT_MODE,
          SecretKeyFactory.getInstance(PGJDBC_SCHEME).generateSecret(new PBEKeySpec(pw)),
          spec);
      byte[] encrypted = encrypt.doFinal(plain);
      Arrays.fill(plain, (byte) 0);
      AlgorithmParameters out = AlgorithmParameters.getInstance(PGJDBC_SCHEME);
      out.init(spec);
      return new EncryptedPrivateKeyInfo(out, encrypted).getEncoded();
    } catch (GeneralSecurityException | IOException e) {
      throw unusable(side, path, "cannot decrypt it with sslpassword (" + e.getMessage() + ")");
    } finally {
      Arrays.fill(pw, '\0');
    }
  }

  static byte[] toPkcs8Der(Side side, String path, String pem) {
    Matcher m = PEM.matcher(pem);
    while (m.find()) {
      String type = m.group(1);
      String body = m.group(2);
      switch (type) {
        case "PRIVATE KEY", "ENCRYPTED PRIVATE KEY" -> {
          return base64(side, path, body);
        }
        case "RSA PRIVATE KEY" -> {
          refuseLegacyEncryption(side, path, body);
          return sequence(
              concat(
                  new byte[] {0x02, 0x01, 0x00},
                  RSA_ALGORITHM,
                  octetString(base64(side, path, body))));
        }
        case "EC PRIVATE KEY" -> {
          refuseLegacyEncryption(side, path, body);
          byte[] sec1 = base64(side, path, body);
          byte[] curve = ecCurveOid(side, path, sec1);
          return sequence(
              concat(
                  new byte[] {0x02, 0x01, 0x00},
                  sequence(concat(EC_PUBLIC_KEY_OID, curve)),
                  octetString(sec1)));
        }
        default -> {
          // a certificate or parameters in the same file: look further
        }
      }
    }
    throw unusable(
        side,
        path,
        "no PEM private key (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)" + " found");
  }

  private static void refuseLegacyEncryption(Side side, String path, String body) {
    if (body.contains("Proc-Type:") && body.contains("ENCRYPTED")) {
      throw unusable(
          side,
          path,
          "an encrypted key in the traditional OpenSSL format cannot be read here; convert it"
              + " once with: openssl pkcs8 -topk8 -in KEY -out KEY.pk8 -outform DER (then"
              + " sslpassword applies)");
    }
  }

  /** The namedCurve OID (a complete TLV) from the [0] parameters of a SEC1 ECPrivateKey. */
  private static byte[] ecCurveOid(Side side, String path, byte[] sec1) {
    int[] seq = header(sec1, 0);
    int i = seq[0];
    int end = seq[0] + seq[1];
    while (i < end) {
      int tag = sec1[i] & 0xff;
      int[] h = header(sec1, i);
      if (tag == 0xa0) {
        return Arrays.copyOfRange(sec1, h[0], h[0] + h[1]);
      }
      i = h[0] + h[1];
    }
    throw unusable(side, path, "the EC key does not name its curve");
  }

  /** {content offset, content length} of the DER element at {@code at}. */
  private static int[] header(byte[] der, int at) {
    int len = der[at + 1] & 0xff;
    int offset = at + 2;
    if (len > 0x80) {
      int n = len & 0x7f;
      len = 0;
      for (int k = 0; k < n; k++) {
        len = (len << 8) | (der[offset + k] & 0xff);
      }
      offset += n;
    }
    return new int[] {offset, len};
  }

  private static byte[] sequence(byte[] content) {
    return tlv(0x30, content);
  }

  private static byte[] octetString(byte[] content) {
    return tlv(0x04, content);
  }

  private static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int n = content.length;
    if (n < 0x80) {
      out.write(n);
    } else {
      int bytes = n > 0xffffff ? 4 : n > 0xffff ? 3 : n > 0xff ? 2 : 1;
      out.write(0x80 | bytes);
      for (int k = bytes - 1; k >= 0; k--) {
        out.write((n >>> (8 * k)) & 0xff);
      }
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static byte[] base64(Side side, String path, String body) {
    try {
      return Base64.getMimeDecoder().decode(body.replaceAll("(?m)^[A-Za-z-]+:.*$", ""));
    } catch (IllegalArgumentException e) {
      throw unusable(side, path, "broken PEM encoding");
    }
  }

  private static String write(Side side, String path, byte[] der) {
    try {
      Path out =
          Files.createTempFile(
              "backfill-sslkey-",
              ".pk8",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      out.toFile().deleteOnExit();
      Files.write(out, der);
      return out.toString();
    } catch (IOException | UnsupportedOperationException e) {
      throw unusable(side, path, "cannot write its PKCS#8 DER form to a temporary file: " + e);
    }
  }

  private static BackfillException unusable(Side side, String path, String why) {
    return new BackfillException(
        side.exitCode(), "--" + side.label() + ": sslkey " + path + ": " + why, null);
  }
}
