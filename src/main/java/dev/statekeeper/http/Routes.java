package dev.statekeeper.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * Where every route is registered, with the query parameters it takes: any other parameter is
 * refused ({@link Query#allow}) before the handler runs, and the list of routes is there for
 * whoever describes the API. The route classes ({@code TaskRoutes}, …) register through this,
 * never on Javalin directly.
 */
public final class Routes {

  /** One registered route: method, path template, the query parameters it takes. */
  public record Route(HandlerType method, String path, Set<String> parameters) {}

  private final RoutesConfig r;
  private final long maxBodyBytes;
  private final List<Route> routes = new ArrayList<>();

  Routes(RoutesConfig r, long maxBodyBytes) {
    this.r = r;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** The body limit ({@code max-body-bytes}), for {@link Requests#body}. */
  public long maxBodyBytes() {
    return maxBodyBytes;
  }

  public void get(String path, Handler h, String... parameters) {
    r.get(path, checked(HandlerType.GET, path, h, parameters));
  }

  public void post(String path, Handler h, String... parameters) {
    r.post(path, checked(HandlerType.POST, path, h, parameters));
  }

  public void put(String path, Handler h, String... parameters) {
    r.put(path, checked(HandlerType.PUT, path, h, parameters));
  }

  public void patch(String path, Handler h, String... parameters) {
    r.patch(path, checked(HandlerType.PATCH, path, h, parameters));
  }

  public void delete(String path, Handler h, String... parameters) {
    r.delete(path, checked(HandlerType.DELETE, path, h, parameters));
  }

  /** Every route registered so far. */
  public List<Route> all() {
    return Collections.unmodifiableList(routes);
  }

  /** Records the route and wraps {@code h} so that it refuses parameters it does not take. */
  private Handler checked(HandlerType method, String path, Handler h, String... parameters) {
    Set<String> allowed = Set.of(parameters);
    routes.add(new Route(method, path, allowed));
    return ctx -> {
      Query.allow(ctx, path, allowed);
      h.handle(ctx);
    };
  }
}
