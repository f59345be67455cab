package io.tsbackfill.copy;

import io.tsbackfill.db.Side;
import io.tsbackfill.db.SideFailure;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.sql.Connection;
import java.sql.SQLException;
import javax.net.ssl.SSLSocket;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.PGStream;
import org.postgresql.core.QueryExecutorBase;
import org.postgresql.core.VisibleBufferedInputStream;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the rows of a {@code COPY ... TO STDOUT} out of pgjdbc's input buffer straight into the
 * caller's buffer, CopyData message after CopyData message, and leaves every other message (the
 * end of the COPY, an error, a notice) to pgjdbc's {@code CopyOut}, which reads it as it always
 * does. The server sends a message per row, and {@code readFromCopy()} takes a lock, allocates an
 * array and goes through its message switch for each: with small rows that was most of the tool's
 * CPU in user space (measured in the issue 6 note), against a few array reads and one copy here.
 *
 * <p>pgjdbc has no public way to its input: it is found by reflection, once, in the protocol
 * stream of the connection's query executor. Where that fails (another pgjdbc, a connection that
 * is not pgjdbc's) {@link #of} answers null and the pipe reads through {@code readFromCopy()}.
 * Only whole messages are consumed, so pgjdbc always finds its stream at a message boundary.
 */
final class CopyDataReader {
  private static final Logger LOG = LoggerFactory.getLogger(CopyDataReader.class);
  /** The CopyData message type of the frontend/backend protocol; its header is 5 bytes. */
  private static final byte COPY_DATA = 'd';
  private static final int HEADER = 5;
  /** Payloads up to this size are taken from pgjdbc's buffer, longer ones read past it. */
  private static final int BUFFERED_PAYLOAD = 4096;

  private static final Field STREAM = field(QueryExecutorBase.class, "pgStream", PGStream.class);
  private static final Field INPUT =
      field(PGStream.class, "pgInput", VisibleBufferedInputStream.class);
  private static final Field INPUT_BUFFER =
      field(VisibleBufferedInputStream.class, "buffer", byte[].class);
  /** The socket's stream under pgjdbc's buffer (may be null: then {@link #ready} says yes). */
  private static final Field WRAPPED =
      field(VisibleBufferedInputStream.class, "wrapped", InputStream.class);
  /** pgjdbc reads 8 kB at a time; at this size a read takes 8 times fewer system calls. */
  static final int INPUT_BYTES = 64 << 10;

  private final PGStream stream;
  private final VisibleBufferedInputStream in;
  private final InputStream socket;

  private CopyDataReader(PGStream stream, VisibleBufferedInputStream in, InputStream socket) {
    this.stream = stream;
    this.in = in;
    this.socket = socket;
  }

  /** A reader of {@code source}'s protocol input, or null if it cannot be had. */
  static CopyDataReader of(Connection source) {
    if (STREAM == null || INPUT == null) {
      return null;
    }
    try {
      Object executor = source.unwrap(BaseConnection.class).getQueryExecutor();
      if (!(executor instanceof QueryExecutorBase)) {
        return null;
      }
      PGStream stream = (PGStream) STREAM.get(executor);
      VisibleBufferedInputStream in = (VisibleBufferedInputStream) INPUT.get(stream);
      if (stream == null || in == null) {
        return null;
      }
      growInput(in);
      // An encrypted stream's count is of what it has decrypted, most often nothing: there
      // the reader cannot tell and says ready, as without the count.
      boolean plain = !(stream.getSocket() instanceof SSLSocket) && !stream.isGssEncrypted();
      InputStream socket = WRAPPED == null || !plain ? null : (InputStream) WRAPPED.get(in);
      return new CopyDataReader(stream, in, socket);
    } catch (SQLException | ReflectiveOperationException | RuntimeException e) {
      LOG.debug("reading COPY data through pgjdbc's CopyOut: {}", e.toString());
      return null;
    }
  }

  /**
   * Appends the payloads of the CopyData messages that come next to {@code to} from {@code used}
   * on, while {@code used} is below {@code limit} and the next payload fits in {@code to}; answers
   * the new fill. It stops before any other message, and before a payload that does not fit
   * (then {@link #pendingLength} tells its length).
   */
  int fill(byte[] to, int used, int limit) throws SideFailure {
    return copy(to, used, limit, false);
  }

  /**
   * {@link #fill} downwards: puts each payload just below the one before in {@code to}, the
   * first ending at {@code top}, while {@code top} is above {@code bottom} and the next payload
   * fits below it; answers the new top. The payloads then lie in {@code to} last first.
   */
  int fillDown(byte[] to, int top, int bottom) throws SideFailure {
    return copy(to, top, bottom, true);
  }

  private int copy(byte[] to, int at, int limit, boolean down) throws SideFailure {
    try {
      while (down ? at > limit : at < limit) {
        if (!in.ensureBytes(HEADER)) {
          throw new EOFException();
        }
        byte[] b = in.getBuffer();
        int i = in.getIndex();
        if (b[i] != COPY_DATA) {
          break;
        }
        int length = length(b, i);
        if (length > (down ? at : to.length - at)) {
          break;
        }
        int into = down ? at - length : at;
        if (length <= BUFFERED_PAYLOAD) {
          if (!in.ensureBytes(HEADER + length)) {
            throw new EOFException();
          }
          b = in.getBuffer();
          i = in.getIndex();
          System.arraycopy(b, i + HEADER, to, into, length);
          in.skip(HEADER + length);
        } else {
          in.skip(HEADER);
          stream.receive(to, into, length);
        }
        at = down ? into : at + length;
      }
      return at;
    } catch (IOException e) {
      throw lost(e);
    }
  }

  /**
   * Whether the source has sent at least {@code bytes} that are not read yet, beyond pgjdbc's
   * buffer: a read now would not wait for it. Yes where that cannot be told (the socket's stream
   * not found, or a TLS or GSS encrypted connection).
   */
  boolean ready(int bytes) throws SideFailure {
    if (socket == null) {
      return true;
    }
    try {
      return socket.available() >= bytes;
    } catch (IOException e) {
      throw lost(e);
    }
  }

  /** The payload length of the CopyData message that comes next, or -1 for another message. */
  int pendingLength() throws SideFailure {
    try {
      if (!in.ensureBytes(HEADER)) {
        throw new EOFException();
      }
      byte[] b = in.getBuffer();
      int i = in.getIndex();
      return b[i] == COPY_DATA ? length(b, i) : -1;
    } catch (IOException e) {
      throw lost(e);
    }
  }

  /** The payload of the CopyData message that comes next ({@link #pendingLength} said so). */
  byte[] take(int length) throws SideFailure {
    try {
      in.skip(HEADER);
      return stream.receive(length);
    } catch (IOException e) {
      throw lost(e);
    }
  }

  private int length(byte[] b, int i) throws IOException {
    int length =
        ((b[i + 1] & 0xff) << 24 | (b[i + 2] & 0xff) << 16 | (b[i + 3] & 0xff) << 8 | b[i + 4] & 0xff)
            - 4;
    if (length < 0) {
      throw new IOException("CopyData message with a length of " + (length + 4));
    }
    return length;
  }

  /**
   * The connection is unusable past a failed read (the stream may stand in a message): it is
   * closed, so that nothing reads on from there, and the error says the connection failed.
   */
  private SideFailure lost(IOException e) {
    try {
      stream.close();
    } catch (IOException ignored) {
      // Closing is all that is wanted of it.
    }
    return new SideFailure(
        Side.SOURCE,
        new PSQLException(
            "connection lost while reading COPY data: " + e.getMessage(),
            PSQLState.CONNECTION_FAILURE,
            e));
  }

  /**
   * pgjdbc's input buffer, enlarged in place (same content, same positions): it reads as much as
   * fits, so each system call then brings up to 64 kB of rows instead of 8. pgjdbc grows this
   * buffer itself when a message needs it and never shrinks it, so a larger one is within what
   * it expects.
   */
  private static void growInput(VisibleBufferedInputStream in) throws IllegalAccessException {
    if (INPUT_BUFFER != null) {
      byte[] b = (byte[]) INPUT_BUFFER.get(in);
      if (b != null && b.length < INPUT_BYTES) {
        INPUT_BUFFER.set(in, java.util.Arrays.copyOf(b, INPUT_BYTES));
      }
    }
  }

  private static Field field(Class<?> owner, String name, Class<?> type) {
    try {
      Field f = owner.getDeclaredField(name);
      if (f.getType() != type) {
        return null;
      }
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return null;
    }
  }
}
