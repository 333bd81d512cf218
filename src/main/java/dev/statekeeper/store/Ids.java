package dev.statekeeper.store;

import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Time-ordered identifiers (UUID version 7, RFC 9562, with the monotonic counter of its method
 * 1), so that ids sort in creation order within one node and index inserts stay local.
 *
 * <p>Written here rather than taken from a library: the JDK has no v7 generator yet and the
 * method is twenty lines; a dependency would cost more than it saves.
 *
 * <p>Concurrency: {@link #lock} guards {@link #lastMillis} and {@link #counter}.
 */
public final class Ids {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ReentrantLock lock = new ReentrantLock();
  private static long lastMillis;
  private static long counter; // 12 bits in rand_a, continued into the top of rand_b

  private Ids() {}

  /** A new UUIDv7 in its canonical lower-case text form. */
  public static String next() {
    long millis;
    long seq;
    lock.lock();
    try {
      long now = System.currentTimeMillis();
      if (now > lastMillis) {
        lastMillis = now;
        counter = RANDOM.nextInt(1 << 11); // leave room to count up within this millisecond
      } else if (++counter >= (1L << 12)) {
        lastMillis++; // counter exhausted: borrow the next millisecond, as RFC 9562 allows
        counter = 0;
      }
      millis = lastMillis;
      seq = counter;
    } finally {
      lock.unlock();
    }
    long msb = (millis << 16) | (0x7L << 12) | seq;
    long lsb = (RANDOM.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(msb, lsb).toString();
  }

  /** {@code bytes} random bytes from a cryptographically strong source. */
  public static byte[] randomBytes(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return b;
  }
}
