package dev.statekeeper.tasks;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes claimers that long-poll ({@code wait_seconds}) as soon as work arrives in their queues.
 * Each arrival wakes at most as many waiters as tasks arrived, oldest waiter first, so one task
 * does not stampede every idle agent. A waiter registers <em>before</em> it tries to claim, so an
 * arrival between its empty attempt and its wait is never missed; waiters also re-poll on a
 * timer, which covers what no signal announces (a retry's backoff running out, a notification
 * lost while a PostgreSQL listener reconnected). A waiter woken for a task its type filter
 * excludes passes the wake-up on to the next waiter, a bounded number of times.
 *
 * <p>Concurrency: {@link #lock} guards {@link #waiting} and its deques; a {@link Waiter} is woken
 * at most once, by whoever wins its {@code woken} flag.
 */
final class ClaimSignals {

  private record QueueKey(String tenant, String queue) {}

  /** One blocked claim call. */
  static final class Waiter {
    private final CountDownLatch latch = new CountDownLatch(1);
    private final AtomicBoolean woken = new AtomicBoolean();
    private volatile int hops;

    private boolean wake(int hops) {
      if (woken.compareAndSet(false, true)) {
        this.hops = hops;
        latch.countDown();
        return true;
      }
      return false;
    }

    /** How many more waiters a wake-up this waiter could not use may still be passed to. */
    int hops() {
      return hops;
    }

    /** True when woken by an arrival, false when {@code timeout} passed first. */
    boolean await(Duration timeout) throws InterruptedException {
      return latch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final Map<QueueKey, ArrayDeque<Waiter>> waiting = new HashMap<>();

  Waiter register(String tenant, List<String> queues) {
    Waiter w = new Waiter();
    lock.lock();
    try {
      for (String q : queues) {
        waiting.computeIfAbsent(new QueueKey(tenant, q), k -> new ArrayDeque<>()).addLast(w);
      }
    } finally {
      lock.unlock();
    }
    return w;
  }

  void unregister(Waiter w, String tenant, List<String> queues) {
    lock.lock();
    try {
      for (String q : queues) {
        QueueKey key = new QueueKey(tenant, q);
        ArrayDeque<Waiter> deque = waiting.get(key);
        if (deque != null) {
          deque.remove(w);
          if (deque.isEmpty()) {
            waiting.remove(key);
          }
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** {@code count} tasks became claimable in {@code queues} of {@code tenant}. */
  void signal(String tenant, Collection<String> queues, int count) {
    signal(tenant, queues, count, -1);
  }

  /**
   * Wakes up to {@code count} waiters, who may pass a wake-up they cannot use (their type filter
   * excludes the new task) on to at most {@code hops - 1} others; -1 means as many as wait now,
   * so a hand-over reaches every waiter once but never circles.
   */
  void signal(String tenant, Collection<String> queues, int count, int hops) {
    lock.lock();
    try {
      if (hops < 0) {
        hops = 0;
        for (String q : queues) {
          ArrayDeque<Waiter> deque = waiting.get(new QueueKey(tenant, q));
          hops += deque == null ? 0 : deque.size();
        }
      }
      for (String q : queues) {
        ArrayDeque<Waiter> deque = waiting.get(new QueueKey(tenant, q));
        if (deque == null) {
          continue;
        }
        int woken = 0;
        for (Iterator<Waiter> it = deque.iterator(); it.hasNext() && woken < count; ) {
          Waiter w = it.next();
          it.remove();
          if (w.wake(hops)) {
            woken++;
          }
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Wakes every waiting claim (before a shutdown: they return what they have, likely nothing). */
  void wakeAll() {
    lock.lock();
    try {
      waiting.values().forEach(deque -> deque.forEach(w -> w.wake(0)));
      waiting.clear();
    } finally {
      lock.unlock();
    }
  }

  /** How many claim calls are waiting now (for tests and metrics). */
  int waiting() {
    lock.lock();
    try {
      return (int) waiting.values().stream().flatMap(ArrayDeque::stream).distinct().count();
    } finally {
      lock.unlock();
    }
  }
}
