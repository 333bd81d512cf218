package dev.statekeeper.ops;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import dev.statekeeper.StatekeeperConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Switches the log on standard error between text (the default of {@code logback.xml}) and JSON
 * (Logback's own {@link JsonEncoder}: one object per line, key-value pairs such as {@code
 * request_id} in {@code kvpList}). Called by {@code serve} before it logs anything else.
 */
public final class LogFormat {

  static final String TEXT_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{24} - %msg %kvp%n";

  private LogFormat() {}

  /** Replaces the encoder of the console appender; does nothing when Logback is not the backend. */
  public static void apply(dev.statekeeper.ops.OpsSettings.LogFormat format) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    if (!(root.getAppender("STDERR") instanceof ConsoleAppender<ILoggingEvent> console)) {
      return;
    }
    Encoder<ILoggingEvent> encoder;
    if (format == dev.statekeeper.ops.OpsSettings.LogFormat.JSON) {
      JsonEncoder json = new JsonEncoder();
      json.setWithSequenceNumber(false);
      json.setWithNanoseconds(false);
      json.setWithContext(false);
      json.setWithMessage(false);
      json.setWithArguments(false);
      json.setWithFormattedMessage(true);
      encoder = json;
    } else {
      PatternLayoutEncoder text = new PatternLayoutEncoder();
      text.setPattern(TEXT_PATTERN);
      encoder = text;
    }
    encoder.setContext(context);
    encoder.start();
    console.stop();
    console.setEncoder(encoder);
    console.start();
  }
}
