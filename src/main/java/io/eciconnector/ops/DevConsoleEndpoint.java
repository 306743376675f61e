package io.eciconnector.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.camel.CamelContext;
import org.apache.camel.console.DevConsole;
import org.apache.camel.console.DevConsoleRegistry;
import org.apache.camel.util.json.Jsoner;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The Camel dev consoles over HTTP on the management interface (port 9876), where camel-quarkus-console would put
 * them: {@code GET /q/camel/dev-console} lists the consoles, {@code GET /q/camel/dev-console/{id}} calls one (or
 * several: {@code route,inflight}, or {@code all}) with the query parameters as the console's options. JSON by
 * default; plain text with {@code Accept: text/plain} or {@code ?format=text}. Options that change something (the
 * route console's {@code action=stop|start|suspend|resume} with {@code filter=routeId}) need POST.
 * <p>
 * Built on the plain camel-console jar (the Camel Quarkus console extension is not on this project's registry).
 * Every path needs the operations token ({@link OpsAccess}).
 */
@ApplicationScoped
public class DevConsoleEndpoint {

    private static final Logger LOG = Logger.getLogger(DevConsoleEndpoint.class);
    /** Consoles of jars on the classpath that fail without their own setup (the vault consoles of camel-kubernetes). */
    static final Set<String> EXCLUDED = Set.of("kubernetes-secrets", "kubernetes-configmaps");
    static final Set<String> WRITE_OPTIONS = Set.of("action");

    @Inject
    CamelContext camel;

    @Inject
    OpsAccess access;

    @Inject
    ConnectorDevConsole connectorConsole;

    @ConfigProperty(name = "eci.console.enabled", defaultValue = "true")
    boolean enabled;

    @ConfigProperty(name = "eci.console.path", defaultValue = "/q/camel/dev-console")
    String path;

    /** Loads the consoles at start, so that the CLI connector finds them too (and never the excluded ones). */
    void loadAtStart(@Observes io.quarkus.runtime.StartupEvent start) {
        registry();
    }

    void register(@Observes ManagementInterface management) {
        if (!enabled) {
            LOG.info("Camel console: off (eci.console.enabled=false)");
            return;
        }
        Router router = management.router();
        router.route(path).order(-10).handler(access.guard());
        router.route(path + "/*").order(-10).handler(access.guard());
        router.route(HttpMethod.GET, path).blockingHandler(this::list, false);
        router.route(HttpMethod.GET, path + "/:id").blockingHandler(ctx -> call(ctx, false), false);
        router.route(HttpMethod.POST, path + "/:id").blockingHandler(ctx -> call(ctx, true), false);
        LOG.infof("Camel console: %s on the management interface (operations token required)", path);
    }

    /** The registry, with the consoles of the classpath loaded, ours added and the broken ones left out. */
    DevConsoleRegistry registry() {
        DevConsoleRegistry registry = camel.getCamelContextExtension().getContextPlugin(DevConsoleRegistry.class);
        if (registry == null) {
            // Camel Quarkus creates no registry without its console extension: the camel-console jar's is added here
            synchronized (this) {
                registry = camel.getCamelContextExtension().getContextPlugin(DevConsoleRegistry.class);
                if (registry == null) {
                    registry = new org.apache.camel.impl.console.DefaultDevConsoleRegistry(camel);
                    camel.getCamelContextExtension().addContextPlugin(DevConsoleRegistry.class, registry);
                    org.apache.camel.support.service.ServiceHelper.startService(registry);
                }
            }
        }
        if ((!registry.isEnabled() || registry.getConsole(connectorConsole.getId()).isEmpty())) {
            synchronized (this) {
                prepare(registry);
            }
        }
        return registry;
    }

    /** Loads the consoles found on the classpath, adds the connector's, drops the excluded ones. */
    void prepare(DevConsoleRegistry registry) {
        // camel.main.dev-console-enabled marks the context only; the registry is switched on here
        registry.setEnabled(enabled || camel.isDevConsole());
        registry.loadDevConsoles();
        // Under Quarkus neither Camel's classpath scan nor its factory finder sees the consoles of the plain jar (the
        // console extension registers them at build time): each jar's dev-consoles.properties names them, and
        // META-INF/services/org/apache/camel/dev-console/{id} names each one's class
        for (String id : declaredConsoleIds()) {
            if (!EXCLUDED.contains(id) && registry.getConsole(id).isEmpty()) {
                instantiate(id).ifPresent(registry::register);
            }
        }
        LOG.debugf("Dev consoles: %s", registry.getConsoleIDs());
        if (registry.getConsole(connectorConsole.getId()).isEmpty()) {
            connectorConsole.setCamelContext(camel);
            registry.register(connectorConsole);
        }
        for (String id : EXCLUDED) {
            registry.getConsole(id).ifPresent(registry::unregister);
        }
    }

    /** The console of that id, made from the class its service file names. */
    java.util.Optional<DevConsole> instantiate(String id) {
        try (var in = Thread.currentThread().getContextClassLoader()
                .getResourceAsStream("META-INF/services/org/apache/camel/dev-console/" + id)) {
            if (in == null) {
                return java.util.Optional.empty();
            }
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            Class<?> type = Class.forName(p.getProperty("class"), true, Thread.currentThread().getContextClassLoader());
            DevConsole console = (DevConsole) type.getDeclaredConstructor().newInstance();
            org.apache.camel.CamelContextAware.trySetCamelContext(console, camel);
            return java.util.Optional.of(console);
        } catch (Exception | LinkageError e) {
            LOG.debugf("Dev console %s not loaded: %s", id, e.toString());
            return java.util.Optional.empty();
        }
    }

    /** The console ids that the jars on the classpath declare (META-INF/services/org/apache/camel/dev-consoles.properties). */
    static List<String> declaredConsoleIds() {
        List<String> ids = new ArrayList<>();
        try {
            var resources = Thread.currentThread().getContextClassLoader()
                    .getResources("META-INF/services/org/apache/camel/dev-consoles.properties");
            while (resources.hasMoreElements()) {
                java.util.Properties p = new java.util.Properties();
                try (var in = resources.nextElement().openStream()) {
                    p.load(in);
                }
                for (String id : p.getProperty("dev-consoles", "").trim().split("\\s+")) {
                    if (!id.isBlank()) {
                        ids.add(id);
                    }
                }
            }
        } catch (java.io.IOException e) {
            LOG.warnf("Cannot list the dev consoles of the classpath: %s", e.getMessage());
        }
        return ids;
    }

    private void list(RoutingContext ctx) {
        DevConsoleRegistry registry = registry();
        if (registry == null || !registry.isEnabled()) {
            unavailable(ctx);
            return;
        }
        List<DevConsole> consoles = registry.stream().sorted((a, b) -> a.getId().compareTo(b.getId())).toList();
        if (wantsText(ctx)) {
            StringBuilder sb = new StringBuilder();
            for (DevConsole c : consoles) {
                sb.append(String.format("%-20s %-24s %s%n", c.getId(), c.getDisplayName(), c.getDescription()));
            }
            ctx.response().putHeader("Content-Type", "text/plain; charset=utf-8").end(sb.toString());
            return;
        }
        Map<String, Object> root = new LinkedHashMap<>();
        for (DevConsole c : consoles) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("id", c.getId());
            one.put("group", c.getGroup());
            one.put("displayName", c.getDisplayName());
            one.put("description", c.getDescription());
            root.put(c.getId(), one);
        }
        json(ctx, 200, root);
    }

    private void call(RoutingContext ctx, boolean post) {
        DevConsoleRegistry registry = registry();
        if (registry == null || !registry.isEnabled()) {
            unavailable(ctx);
            return;
        }
        Map<String, Object> options = new LinkedHashMap<>();
        ctx.queryParams().forEach(e -> options.put(e.getKey(), e.getValue()));
        options.remove("format");
        if (!post && options.keySet().stream().anyMatch(WRITE_OPTIONS::contains)) {
            json(ctx, 405, Map.of("error", "options that change something (" + WRITE_OPTIONS + ") need POST"));
            return;
        }
        String id = ctx.pathParam("id");
        List<DevConsole> selected = new ArrayList<>();
        if ("all".equals(id)) {
            registry.stream().sorted((a, b) -> a.getId().compareTo(b.getId())).forEach(selected::add);
        } else {
            List<String> unknown = new ArrayList<>();
            for (String one : Arrays.stream(id.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList()) {
                registry.getConsole(one).ifPresentOrElse(selected::add, () -> unknown.add(one));
            }
            if (!unknown.isEmpty()) {
                json(ctx, 404, Map.of("error", "no such console: " + String.join(",", unknown),
                        "consoles", registry.stream().map(DevConsole::getId).sorted().collect(Collectors.toList())));
                return;
            }
        }
        if (wantsText(ctx)) {
            StringBuilder sb = new StringBuilder();
            for (DevConsole c : selected) {
                if (c.supportMediaType(DevConsole.MediaType.TEXT)) {
                    Object text = c.call(DevConsole.MediaType.TEXT, new LinkedHashMap<>(options));
                    if (selected.size() > 1) {
                        sb.append("--- ").append(c.getDisplayName()).append(" ---\n");
                    }
                    sb.append(text == null ? "" : text).append('\n');
                }
            }
            ctx.response().putHeader("Content-Type", "text/plain; charset=utf-8").end(sb.toString());
            return;
        }
        Map<String, Object> root = new LinkedHashMap<>();
        for (DevConsole c : selected) {
            if (c.supportMediaType(DevConsole.MediaType.JSON)) {
                Object result = c.call(DevConsole.MediaType.JSON, new LinkedHashMap<>(options));
                if (result != null) {
                    root.put(c.getId(), result);
                }
            }
        }
        json(ctx, 200, root);
    }

    private static boolean wantsText(RoutingContext ctx) {
        String format = ctx.queryParams().get("format");
        if (format != null) {
            return format.equalsIgnoreCase("text");
        }
        String accept = ctx.request().getHeader("Accept");
        return accept != null && accept.contains("text/plain") && !accept.contains("json");
    }

    private static void unavailable(RoutingContext ctx) {
        json(ctx, 503, Map.of("error", "the dev console registry is off (camel.main.dev-console-enabled=false)"));
    }

    private static void json(RoutingContext ctx, int status, Map<String, Object> body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(Jsoner.serialize(body));
    }
}
