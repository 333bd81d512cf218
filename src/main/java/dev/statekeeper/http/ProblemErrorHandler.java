package dev.statekeeper.http;

import java.nio.ByteBuffer;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Answers requests that Jetty itself rejects before any route runs (malformed URIs, ambiguous
 * path encodings, oversized headers) with a problem document instead of Jetty's HTML page.
 */
final class ProblemErrorHandler extends ErrorHandler {

  /**
   * Every method gets a problem document: Jetty's default writes an error body only for GET, POST
   * and HEAD, so a rejected PUT, PATCH, DELETE or OPTIONS went out with an empty or HTML body.
   */
  @Override
  public boolean errorPageForMethod(String method) {
    return true;
  }

  @Override
  protected void generateResponse(
      Request request, Response response, int code, String message, Throwable cause, Callback callback) {
    String problemCode =
        switch (code) {
          case 400 -> "bad_request";
          case 404 -> "not_found";
          case 405 -> "method_not_allowed";
          case 408 -> "body_timeout";
          case 413 -> "body_too_large";
          case 414 -> "uri_too_long";
          case 431 -> "headers_too_large";
          default -> code >= 500 ? "internal_error" : "http_" + code;
        };
    String detail = message == null || message.isBlank() ? "the request was rejected" : message;
    byte[] body = Problems.body(code, problemCode, detail, Map.of());
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problems.CONTENT_TYPE);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
  }
}
