package io.tsbackfill.copy;

import static io.tsbackfill.db.Side.SOURCE;

import io.tsbackfill.db.SideFailure;
import io.tsbackfill.work.Throttle;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.postgresql.copy.CopyIn;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/**
 * The last-first sink of the {@link CopyStream} pump: a chunk's rows go to the target in the
 * reverse of their physical order, in one COPY. The source chunk is read segment after segment of
 * its blocks, from its last to its first (a TID range scan each, so the source still reads its
 * blocks forward), and the rows of each segment are sent last first. A time-series chunk is mostly
 * stored in ascending time and TimescaleDB's default time index sorts descending: each row that
 * comes in ascending time lands at that index's left edge, where every page split leaves two
 * half-empty pages; in descending time it is appended at the right edge, where splits leave full
 * pages. Only the order changes: every row of every segment is sent once.
 *
 * <p>A segment's rows are held in a window, read while the window before goes out a megabyte for
 * each megabyte read, so the pump alternates between the two connections as the forward sink does.
 * A segment with more rows than a window holds goes in parts, each reversed, and a row longer than
 * a window on its own. Each segment is a binary COPY of its own: its header and trailer are dropped
 * and one of each is sent.
 */
final class ReversedCopy implements CopyStream.Sink {
  /** Blocks of a full segment (all but a chunk's first few): 4 MiB of heap, about a window. */
  static final long SEGMENT_BLOCKS = 512;

  /**
   * Blocks of a chunk's first segment (its last blocks): the target gets no row until it is read,
   * so it is small; the segments after it double up to {@link #SEGMENT_BLOCKS}.
   */
  static final long FIRST_SEGMENT_BLOCKS = 32;

  /** The most row bytes of a batch sent in reverse; two are held, one read while one is sent. */
  static final int WINDOW_BYTES = 4 << 20;

  private static final byte[] SIGNATURE = {
    'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0
  };

  /** The binary COPY header: signature, flags, header extension length (both int32, zero). */
  private static final byte[] HEADER = Arrays.copyOf(SIGNATURE, SIGNATURE.length + 8);

  /** The binary COPY trailer: a field count of -1. */
  private static final byte[] TRAILER = {-1, -1};

  /**
   * Each worker thread's two windows, kept from chunk to chunk: a new pair per chunk would be 8 MiB
   * of zeroed heap each time. A worker copies one chunk at a time.
   */
  private static final ThreadLocal<Window[]> WINDOWS = new ThreadLocal<>();

  /** The source query of the segment of blocks [from, to); {@code to} < 0: no upper bound. */
  @FunctionalInterface
  interface Segment {
    String sql(long from, long to);
  }

  private final CopyIn in;
  private final boolean binary;

  /** The window rows are read into, and the one being sent. */
  private Window reading;

  private Window sending;

  /** Bytes read since the last write to the target. */
  private long credit;

  /** Whether the next row is the first of its segment's COPY (it carries the binary header). */
  private boolean first = true;

  /**
   * Rows held last first: read into {@code bytes} from its end down to {@code top}, so that once
   * read they lie in [top, end) in the order they are to be sent, and go out from {@code next}.
   */
  private static final class Window {
    final byte[] bytes = new byte[WINDOW_BYTES];
    int top = WINDOW_BYTES;
    int next = WINDOW_BYTES;

    /** This window with no rows, for a new copy (its bytes are overwritten before use). */
    Window empty() {
      top = WINDOW_BYTES;
      next = WINDOW_BYTES;
      return this;
    }
  }

  private ReversedCopy(CopyIn in, boolean binary) throws SQLException {
    this.in = in;
    this.binary = binary;
    Window[] windows = WINDOWS.get();
    if (windows == null) {
      windows = new Window[] {new Window(), new Window()};
      WINDOWS.set(windows);
    }
    reading = windows[0].empty();
    sending = windows[1].empty();
    if (binary) {
      CopyStream.write(in, HEADER, 0, HEADER.length);
    }
  }

  /**
   * Copies the segments of a table of {@code blocks} blocks (counted inside the source transaction:
   * rows it sees are in blocks that existed then, and the last segment has no upper bound anyway)
   * into {@code copyInSql} on the target, last first.
   */
  static CopyStream.Counts pipe(
      Connection source,
      Segment segment,
      long blocks,
      boolean binary,
      Connection target,
      String copyInSql,
      Throttle throttle)
      throws SQLException {
    return CopyStream.pump(
        source,
        segments(segment, blocks),
        target,
        copyInSql,
        in -> new ReversedCopy(in, binary),
        throttle);
  }

  /**
   * The segments' queries from the table's end to its start: the target has nothing to do until the
   * first is read, so it is small, and each after it twice the one before, up to the full size.
   */
  static List<String> segments(Segment segment, long blocks) {
    List<String> sqls = new ArrayList<>();
    long size = FIRST_SEGMENT_BLOCKS;
    long to = -1;
    long from = Math.max(0, blocks - size);
    while (true) {
      sqls.add(segment.sql(from, to));
      if (from == 0) {
        return sqls;
      }
      to = from;
      size = Math.min(SEGMENT_BLOCKS, size * 2);
      from = Math.max(0, from - size);
    }
  }

  @Override
  public void row(byte[] row) throws SQLException {
    hold(row, first && binary ? headerLength(row, 0, row.length) : 0);
    first = false;
    credit += row.length;
    if (credit >= CopyStream.FLUSH_BYTES) {
      send(credit);
    }
  }

  /** The segment's rows, or as many as filled the window, make the next batch. */
  @Override
  public void endOfQuery() throws SQLException {
    complete();
    first = true;
  }

  @Override
  public void finish() throws SQLException {
    send(Long.MAX_VALUE);
    if (binary) {
      CopyStream.write(in, TRAILER, 0, TRAILER.length);
    }
  }

  /** A row, from {@code from} on: held, or sent if longer than a window. */
  private void hold(byte[] data, int from) throws SQLException {
    int length = data.length - from;
    if (length == 0 || isTrailer(data, from, length)) {
      return;
    }
    if (length > reading.bytes.length) {
      CopyStream.write(in, data, from, length);
      return;
    }
    if (length > reading.top) {
      complete();
    }
    reading.top -= length;
    System.arraycopy(data, from, reading.bytes, reading.top, length);
  }

  /**
   * The rows read so far make a batch: the rest of the batch before goes out, then this one is sent
   * while the other window fills again.
   */
  private void complete() throws SQLException {
    send(Long.MAX_VALUE);
    Window w = sending;
    sending = reading;
    sending.next = sending.top;
    reading = w;
    reading.top = reading.bytes.length;
  }

  /** Writes up to {@code budget} bytes of the sending window to the target. */
  private void send(long budget) throws SQLException {
    Window w = sending;
    int length = (int) Math.min(budget, w.bytes.length - w.next);
    if (length > 0) {
      CopyStream.write(in, w.bytes, w.next, length);
      w.next += length;
    }
    credit = 0;
  }

  /** Whether {@code b[from, from + length)} is the binary trailer: a field count of -1, alone. */
  private boolean isTrailer(byte[] b, int from, int length) {
    return binary && length == 2 && b[from] == -1 && b[from + 1] == -1;
  }

  /** The length of the binary COPY header at {@code b[start, end)}; fails on anything else. */
  private static int headerLength(byte[] b, int start, int end) throws SideFailure {
    int fixed = SIGNATURE.length + 8;
    if (end - start < fixed
        || !Arrays.equals(b, start, start + SIGNATURE.length, SIGNATURE, 0, SIGNATURE.length)) {
      throw unexpected("no binary COPY header");
    }
    int flags = int32(b, start + SIGNATURE.length);
    int extension = int32(b, start + SIGNATURE.length + 4);
    // Bits 0-15 are critical flags and bit 16 says rows carry OIDs: none is expected.
    if ((flags & 0x1ffff) != 0 || extension < 0 || extension > end - start - fixed) {
      throw unexpected("a binary COPY header with flags " + flags + " and extension " + extension);
    }
    return fixed + extension;
  }

  private static int int32(byte[] b, int i) {
    return (b[i] & 0xff) << 24
        | (b[i + 1] & 0xff) << 16
        | (b[i + 2] & 0xff) << 8
        | (b[i + 3] & 0xff);
  }

  private static SideFailure unexpected(String what) {
    return new SideFailure(
        SOURCE,
        new PSQLException("the source sent " + what + " in its COPY data", PSQLState.DATA_ERROR));
  }
}
