package io.eciconnector.salesforce;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;

import org.apache.camel.component.http.HttpComponent;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * Camel's HTTP component (the {@code http:} endpoints of routes/salesforce-request.yaml), set up for requests to the org:
 * <ul>
 * <li>a connect timeout of 10 s and eci.salesforce.request-timeout for the answer;</li>
 * <li>nothing ever sent twice by the client on its own: a create request sent again could create its VoiceCalls
 * twice, so the routes decide what is resent;</li>
 * <li>a pooled connection is checked before it is used again: one the org (or a proxy) closed while it was idle is
 * dropped and a new one opened. Without the check the request goes out on the closed connection and fails with no
 * answer, which for a create means an unknown outcome (looked up, and resent only after eci.create.settle-time);</li>
 * <li>no cookies kept, no redirect followed (an API answer is never a redirect to follow with the bearer token), no
 * compression asked for.</li>
 * </ul>
 */
@ApplicationScoped
public class SalesforceHttpComponent {

    /** The component for recording uploads: the same, its answers awaited for eci.salesforce.upload-timeout. */
    public static final String UPLOADS = "salesforce-upload";

    @Produces
    @Named("http")
    @ApplicationScoped
    HttpComponent http(SalesforceSettings settings) {
        return component(settings.requestTimeout());
    }

    @Produces
    @Named(UPLOADS)
    @ApplicationScoped
    HttpComponent uploads(SalesforceSettings settings) {
        return component(settings.uploadTimeout());
    }

    /** The component as the connector uses it, answers awaited for {@code answer}. */
    public static HttpComponent component(Duration answer) {
        long millis = answer.toMillis();
        HttpComponent http = new HttpComponent();
        http.setClientConnectionManager(pool(Duration.ofSeconds(10), answer));
        http.setConnectTimeout(10_000);
        http.setConnectionRequestTimeout(millis);
        http.setResponseTimeout(millis);
        http.setSoTimeout(millis);
        http.setAutomaticRetriesDisabled(true);
        http.setCookieManagementDisabled(true);
        http.setRedirectHandlingDisabled(true);
        http.setFollowRedirects(false);
        http.setContentCompressionDisabled(true);
        return http;
    }

    static PoolingHttpClientConnectionManager pool(Duration connect, Duration answer) {
        return PoolingHttpClientConnectionManagerBuilder.create()
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.ofMilliseconds(connect.toMillis()))
                        .setSocketTimeout(Timeout.ofMilliseconds(answer.toMillis()))
                        // checked at every lease (a read of at most 1 ms): requests to the org are seconds apart
                        .setValidateAfterInactivity(TimeValue.ZERO_MILLISECONDS)
                        .build())
                .useSystemProperties() // javax.net.ssl.* (a truststore for a TLS-inspecting proxy), as the JDK's
                .setMaxConnTotal(20)
                .setMaxConnPerRoute(10)
                .build();
    }
}
