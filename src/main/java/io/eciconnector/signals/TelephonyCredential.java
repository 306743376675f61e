package io.eciconnector.signals;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import org.apache.camel.component.http.HttpComponent;
import org.jboss.logging.Logger;

import io.eciconnector.salesforce.EmbeddedOrg;
import io.eciconnector.salesforce.SalesforceHttpComponent;
import io.eciconnector.salesforce.SalesforceRequest;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Who the telephony requests of routes/telephony-send.yaml are sent as, and where: the Service Cloud Voice telephony
 * API's bearer JWT (signed with the contact center's key, {@link TelephonyToken}), its base URL
 * ({@code eci.telephony.base-url}) and the {@code Telephony-Provider-Name} header. routes/salesforce-request.yaml
 * uses it when a request names it ({@link #NAME}); a 401 drops the token and the route sends once more with a new one.
 * With the sandbox on, what is not configured comes from the embedded org.
 */
@ApplicationScoped
@Named(TelephonyCredential.NAME)
@RegisterForReflection
public class TelephonyCredential implements SalesforceRequest.Credential {

    private static final Logger LOG = Logger.getLogger(TelephonyCredential.class);
    /** The bean's name, as a request names it (exchange property {@value SalesforceRequest#CREDENTIAL}). */
    public static final String NAME = "telephonyCredential";
    /** The Camel component the telephony requests go through: camel-http, answers awaited eci.telephony.request-timeout. */
    public static final String CLIENT = "salesforce-telephony";

    @Inject
    TelephonySettings settings;

    @Inject
    EmbeddedOrg sandbox;

    @Inject
    org.apache.camel.CamelContext camel;

    /** The route every request goes through (routes/salesforce-request.yaml): its toD names the endpoint. */
    static final String REQUEST_ROUTE = "salesforce-request";

    private volatile Signer signer;

    private record Signer(TelephonyToken token, String baseUrl) {
    }

    @Produces
    @Named(CLIENT)
    @ApplicationScoped
    HttpComponent component(TelephonySettings settings) {
        return SalesforceHttpComponent.component(settings.requestTimeout());
    }

    @Override
    public String authorization() throws IOException {
        try {
            return signer().token().bearer();
        } catch (RuntimeException e) {
            // no key, no org id: nothing was sent
            throw new IOException("the telephony API's token could not be signed: " + e.getMessage(), e);
        }
    }

    @Override
    public void refused(String authorization) {
        signer().token().invalidate(); // a rotated key or a token the org no longer takes: sign anew, once
    }

    @Override
    public String url(String path) {
        return path.startsWith("http") ? path : signer().baseUrl() + path;
    }

    @Override
    public Map<String, String> headers() {
        return Map.of("Telephony-Provider-Name", settings.providerName());
    }

    /** The JWT signer in use (tests read how often it signed and read the key). */
    TelephonyToken token() {
        return signer().token();
    }

    private Signer signer() {
        Signer s = signer;
        if (s == null) {
            synchronized (this) {
                if (signer == null) {
                    signer = newSigner();
                }
                s = signer;
            }
        }
        return s;
    }

    private Signer newSigner() {
        TelephonySettings.Jwt jwt = settings.jwt();
        String issuer = jwt.orgId().orElseGet(() -> sandboxOr(() -> sandbox.orgId(), "eci.telephony.jwt.org-id"));
        String subject = jwt.callCenterApiName().orElseGet(
                () -> sandboxOr(() -> sandbox.callCenterApiName(), "eci.telephony.jwt.call-center-api-name"));
        Path key = jwt.privateKeyFile().map(Path::of).orElseGet(
                () -> sandboxOr(() -> sandbox.telephonyPrivateKey(), "eci.telephony.jwt.private-key-file"));
        String base = settings.baseUrl().orElseGet(() -> sandboxOr(() -> sandbox.localUrl() + "/telephony/v1",
                "eci.telephony.base-url"));
        TelephonyToken token = new TelephonyToken(key, new TelephonyToken.Claims(issuer, subject,
                jwt.audience().orElse(null), jwt.jti(), jwt.lifetime(), jwt.renewBefore()), Clock.systemUTC());
        LOG.infof("Telephony API: %s (provider %s, call center %s)", base, settings.providerName(), subject);
        return new Signer(token, base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
    }

    private <T> T sandboxOr(java.util.function.Supplier<T> fromSandbox, String key) {
        if (!sandbox.enabled()) {
            throw new IllegalStateException(key + " is required (the sandbox is off)");
        }
        return fromSandbox.get();
    }

    /**
     * At start, off the start's thread: the signer made and its first token signed, so the first requests of a stream
     * do not wait for the key to load and the signer to warm up (SignalBench: the realtime events of the first quarter
     * second waited ~350 ms). Nothing is sent. Not configured (the sandbox off, no telephony keys): the first send
     * says so.
     */
    private volatile boolean warm;

    /** The signer was made and a token signed at start (for tests). */
    boolean warm() {
        return warm;
    }

    /**
     * The endpoint URI routes/salesforce-request.yaml's toD resolves for a telephony request, read from the route as
     * loaded (so an operator's edit of its parameters is the endpoint warmed, not a copy of the URI kept here); null
     * when the route has no toD (nothing is warmed then).
     */
    String endpointUri() {
        org.apache.camel.model.RouteDefinition route = camel.getCamelContextExtension()
                .getContextPlugin(org.apache.camel.model.Model.class).getRouteDefinition(REQUEST_ROUTE);
        if (route == null) {
            return null;
        }
        for (org.apache.camel.model.ToDynamicDefinition to : org.apache.camel.model.ProcessorDefinitionHelper
                .filterTypeInOutputs(route.getOutputs(), org.apache.camel.model.ToDynamicDefinition.class)) {
            org.apache.camel.Exchange probe = new org.apache.camel.support.DefaultExchange(camel);
            probe.setProperty(SalesforceRequest.CLIENT, CLIENT);
            String uri = camel.resolvePropertyPlaceholders(to.getUri());
            return camel.resolveLanguage("simple").createExpression(uri).evaluate(probe, String.class);
        }
        return null;
    }

    void warmUp(@jakarta.enterprise.event.Observes io.quarkus.runtime.StartupEvent started) {
        Thread warming = new Thread(() -> {
            try {
                signer().token().bearer();
                // the endpoint routes/salesforce-request.yaml sends through, and its HttpClient (built at the first
                // request otherwise: class loading and the pool while the first events of a stream wait)
                String uri = endpointUri();
                if (uri != null) {
                    camel.getEndpoint(uri, org.apache.camel.component.http.HttpEndpoint.class).getHttpClient();
                }
                warm = true;
            } catch (RuntimeException e) {
                LOG.debugf("telephony client not made at start: %s", e.getMessage());
            }
        }, "eci-telephony-warm-up");
        warming.setDaemon(true);
        warming.start();
    }
}
