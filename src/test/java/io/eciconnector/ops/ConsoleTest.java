package io.eciconnector.ops;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Test;

import io.eciconnector.ingest.FlowProfile;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * The Camel dev consoles over HTTP on the management interface, with the product's routes: listed, read as JSON and
 * text, a route stopped and started again through the route console, the connector's own console, and Jolokia;
 * nothing without the operations token.
 */
@QuarkusTest
@TestProfile(FlowProfile.class)
class ConsoleTest {

    static final String ROUTE = "waiting-recordings";

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Inject
    CamelContext camel;

    @Inject
    JolokiaAgent jolokia;

    String url(String path) {
        // the injected URL carries the management root path (/q/): only its scheme, host and port are used
        return management.getProtocol() + "://" + management.getHost() + ":" + management.getPort() + path;
    }

    Response get(String path) {
        return given().header("Authorization", "Bearer " + FlowProfile.CONSOLE_TOKEN).get(url(path));
    }

    Response post(String path) {
        return given().header("Authorization", "Bearer " + FlowProfile.CONSOLE_TOKEN).post(url(path));
    }

    @SuppressWarnings("unchecked")
    String routeState(String id) {
        List<Map<String, Object>> routes = get("/q/camel/dev-console/route?filter=" + id).then().statusCode(200)
                .extract().jsonPath().getList("route.routes");
        assertEquals(1, routes.size(), "the filter selects one route");
        return (String) routes.get(0).get("state");
    }

    @Test
    void nothingWithoutTheToken() {
        given().get(url("/q/camel/dev-console")).then().statusCode(401);
        given().get(url("/q/camel/dev-console/route")).then().statusCode(401);
        given().header("Authorization", "Bearer wrong").post(url("/q/camel/dev-console/route?action=stop&filter=" + ROUTE))
                .then().statusCode(401);
        assertEquals(ServiceStatus.Started, camel.getRouteController().getRouteStatus(ROUTE));
        // health and metrics stay open for the probes and Prometheus
        given().get(url("/observe/health/live")).then().statusCode(200);
    }

    @Test
    void requestMetricsNameTheOperationNotTheCall() {
        // a call's id in a path would be a tag value of its own: unbounded series (Quarkus stops at 100 and warns),
        // and a vendor's call id in the metrics
        given().header("Authorization", "Bearer " + FlowProfile.CONSOLE_TOKEN).get("/calls/METRIC-CALL-4711");
        given().header("Authorization", "Bearer " + FlowProfile.CONSOLE_TOKEN).get("/signals/calls/METRIC-KEY-4712");
        given().header("Authorization", "Bearer " + FlowProfile.CONSOLE_TOKEN).get("/calls/failures?state=DEAD");
        // the embedded org's paths carry record ids (uploads, queries): one series per path would be one per call
        given().get("/services/data/v60.0/sobjects/VoiceCall/0LQMETRIC000004713");
        given().get("/telephony/v1/voiceCalls/METRIC-KEY-4714/realtimeConversationEvents");
        String metrics = given().get(url("/observe/metrics")).then().statusCode(200).extract().asString();
        assertFalse(metrics.contains("METRIC-CALL-4711"), "no call id in a metric");
        assertFalse(metrics.contains("METRIC-KEY-4712"), "no contact id in a metric");
        assertFalse(metrics.contains("0LQMETRIC000004713"), "no record id of the embedded org in a metric");
        assertFalse(metrics.contains("METRIC-KEY-4714"), "no contact id of the embedded org's telephony API in a metric");
        assertTrue(metrics.contains("uri=\"/calls/{externalId}\""), "the call endpoint by its template");
        assertTrue(metrics.contains("uri=\"/signals/calls/{vendorCallKey}\""), "the contact endpoint by its template");
        assertTrue(metrics.contains("uri=\"/calls/failures\""), "a fixed path stays itself");
        // Camel's metrics per route (the route policy); not the exchange event notifier's per-exchange gauges
        assertTrue(metrics.contains("camel_exchanges_total{") && metrics.contains("routeId=\"create-voicecalls\""),
                "exchanges counted per route");
        assertFalse(metrics.contains("camel_exchanges_last_timestamp"), "no gauge looked up on every exchange");
        assertFalse(metrics.contains("camel_exchanges_inflight"), "no inflight gauge registered by the notifier");
    }

    @Test
    void listsTheConsolesAsJsonAndText() {
        get("/q/camel/dev-console").then().statusCode(200).body("$", hasKey("route")).body("$", hasKey("eci"))
                .body("$", hasKey("route-controller")).body("$", hasKey("inflight"))
                .body("route.description", containsString("Route"));
        Response text = given().header("Authorization", "Bearer " + FlowProfile.CONSOLE_TOKEN)
                .header("Accept", "text/plain").get(url("/q/camel/dev-console"));
        text.then().statusCode(200).contentType(containsString("text/plain"));
        assertTrue(text.body().asString().contains("route-controller"), text.body().asString());
        // the vault console that throws without a vault is left out (the CLI connector calls it otherwise)
        get("/q/camel/dev-console").then().body("$", org.hamcrest.Matchers.not(hasKey("kubernetes-secrets")));
        get("/q/camel/dev-console/no-such-console").then().statusCode(404);
    }

    @Test
    void stopsAndStartsARouteThroughTheRouteConsole() {
        await().atMost(Duration.ofSeconds(20)).until(() -> "Started".equals(routeState(ROUTE)));
        get("/q/camel/dev-console/route?format=text&filter=" + ROUTE).then().statusCode(200)
                .body(containsString("Id: " + ROUTE));
        // an action changes something: GET refuses it
        get("/q/camel/dev-console/route?action=stop&filter=" + ROUTE).then().statusCode(405);
        assertEquals("Started", routeState(ROUTE));
        // a route started again registers no meter twice (Micrometer warns "... has been already registered")
        List<String> warned = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Logger meters = java.util.logging.Logger.getLogger("io.micrometer.core.instrument.MeterRegistry");
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                if (r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
                    warned.add(String.valueOf(r.getMessage()));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        meters.addHandler(handler);
        try {
            post("/q/camel/dev-console/route?action=stop&filter=" + ROUTE).then().statusCode(200);
            assertEquals("Stopped", routeState(ROUTE));
            assertEquals(ServiceStatus.Stopped, camel.getRouteController().getRouteStatus(ROUTE));
            assertEquals("Started", routeState("create-voicecalls"), "only the filtered route stops");
        } finally {
            post("/q/camel/dev-console/route?action=start&filter=" + ROUTE).then().statusCode(200);
            meters.removeHandler(handler);
        }
        assertEquals("Started", routeState(ROUTE));
        assertEquals(ServiceStatus.Started, camel.getRouteController().getRouteStatus(ROUTE));
        assertTrue(warned.isEmpty(), warned.toString());
    }

    @Test
    void theConnectorsOwnConsoleShowsTheLedgerAndTheLeadership() {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> get("/q/camel/dev-console/eci").jsonPath().getBoolean("eci.leadership.groups.pollers.leader"));
        Response eci = get("/q/camel/dev-console/eci");
        eci.then().statusCode(200).body("eci.ledger.counts", hasKey("DEAD")).body("eci.ledger.counts", hasKey("CHECKED"))
                .body("eci.deadLetters", hasKey("byReason")).body("eci.api", hasKey("share"))
                .body("eci.leadership.mode", org.hamcrest.Matchers.equalTo("file"));
        get("/q/camel/dev-console/eci?format=text").then().statusCode(200).body(containsString("Ledger:"))
                .body(containsString("pollers"));
        get("/q/camel/dev-console/eci?externalId=NOT-THERE").then().statusCode(200).body("eci.call.size()",
                org.hamcrest.Matchers.equalTo(0));
        get("/q/camel/dev-console/eci?state=NOT-A-STATE").then().statusCode(200).body("eci.error",
                containsString("state is one of"));
        get("/q/camel/dev-console/route,eci").then().statusCode(200).body("$", hasKey("route")).body("$", hasKey("eci"));
    }

    @Test
    void jolokiaAnswersOnlyWithTheToken() {
        String base = "http://127.0.0.1:" + jolokia.port() + "/jolokia";
        given().get(base + "/version").then().statusCode(401);
        given().auth().preemptive().basic(OpsAccess.USER, "wrong").get(base + "/version").then().statusCode(401);
        given().auth().preemptive().basic(OpsAccess.USER, FlowProfile.CONSOLE_TOKEN).get(base + "/version").then()
                .statusCode(200).body("value.agent", org.hamcrest.Matchers.notNullValue());
        // Camel's MBeans are there for Hawtio
        given().auth().preemptive().basic(OpsAccess.USER, FlowProfile.CONSOLE_TOKEN)
                .get(base + "/search/org.apache.camel:type=routes,*").then().statusCode(200)
                .body(containsString(ROUTE));
    }
}
