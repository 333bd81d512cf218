package dev.statekeeper.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs alert changes as JSON in the shape of Alertmanager's webhook ({@code version "4"}, {@code
 * status}, {@code alerts[]} with {@code labels}, {@code annotations}, {@code startsAt}, {@code
 * endsAt}), so receivers written for Alertmanager accept them. Each notification is tried up to 5
 * times with exponential backoff (0.5 s doubling, Resilience4j) on a thread of its own, in order,
 * so a slow receiver never holds up the evaluation.
 *
 * <p>Concurrency: one sender thread; {@link #send} only enqueues.
 */
final class AlertWebhook implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AlertWebhook.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant ZERO_TIME = Instant.parse("0001-01-01T00:00:00Z");

  private final URI url;
  private final String instance;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Retry retry;
  private final ExecutorService sender =
      Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("statekeeper-alert-webhook").factory());
  private final Counter sent;
  private final Counter failed;

  AlertWebhook(String url, String instance, MeterRegistry meters, Duration firstBackoff) {
    this.url = URI.create(url);
    this.instance = instance;
    this.retry =
        Retry.of(
            "alert-webhook",
            RetryConfig.custom()
                .maxAttempts(5)
                .intervalFunction(IntervalFunction.ofExponentialBackoff(firstBackoff, 2.0))
                .retryExceptions(IOException.class)
                .build());
    this.sent = Counter.builder("statekeeper.alert.notifications").tag("result", "sent")
        .description("Alert notifications POSTed to the webhook").register(meters);
    this.failed = Counter.builder("statekeeper.alert.notifications").tag("result", "failed")
        .description("Alert notifications POSTed to the webhook").register(meters);
  }

  /** Queues one notification about {@code alert} (firing when its {@code endsAt} is null). */
  void send(Alert alert) {
    byte[] body = body(alert);
    sender.execute(
        () -> {
          try {
            retry.executeCallable(() -> post(body));
            sent.increment();
          } catch (Exception e) {
            failed.increment();
            log.warn("could not notify {} of alert {} after 5 attempts: {}", url, alert.name(), e.toString());
          }
        });
  }

  private Void post(byte[] body) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(url)
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .header("User-Agent", "statekeeper-alerts")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    HttpResponse<Void> r = http.send(request, HttpResponse.BodyHandlers.discarding());
    if (r.statusCode() / 100 != 2) {
      throw new IOException("the webhook answered " + r.statusCode());
    }
    return null;
  }

  byte[] body(Alert alert) {
    String status = alert.firing() ? "firing" : "resolved";
    Map<String, Object> labels = new LinkedHashMap<>();
    labels.put("alertname", alert.name());
    labels.put("severity", alert.severity());
    labels.put("service", "statekeeper");
    labels.put("instance", instance);
    Map<String, Object> annotations = new LinkedHashMap<>();
    annotations.put("summary", alert.summary());
    annotations.put("value", alert.value());
    annotations.put("threshold", alert.threshold());
    Map<String, Object> one = new LinkedHashMap<>();
    one.put("status", status);
    one.put("labels", labels);
    one.put("annotations", annotations);
    one.put("startsAt", alert.startsAt().toString());
    one.put("endsAt", (alert.endsAt() == null ? ZERO_TIME : alert.endsAt()).toString());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("version", "4");
    m.put("receiver", "statekeeper");
    m.put("status", status);
    m.put("groupKey", "statekeeper:" + alert.name());
    m.put("groupLabels", Map.of("alertname", alert.name()));
    m.put("commonLabels", labels);
    m.put("commonAnnotations", annotations);
    m.put("alerts", List.of(one));
    try {
      return JSON.writeValueAsBytes(m);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write an alert as JSON, which indicates a bug", e);
    }
  }

  @Override
  public void close() {
    sender.shutdown();
    try {
      if (!sender.awaitTermination(2, TimeUnit.SECONDS)) {
        sender.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      sender.shutdownNow();
    }
  }
}
