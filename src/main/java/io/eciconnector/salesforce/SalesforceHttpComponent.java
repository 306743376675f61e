package io.eciconnector.salesforce;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;

import org.apache.camel.component.http.HttpComponent;

/**
 * Camel's HTTP component (the {@code http:} endpoints of routes/salesforce-request.yaml), set up for requests to the org:
 * a connect timeout of 10 s and eci.salesforce.request-timeout for the answer; nothing ever sent twice by the client
 * on its own (a create request sent again could create its VoiceCalls twice: the routes decide what is resent); no
 * cookies kept, no redirect followed (an API answer is never a redirect to follow with the bearer token), no
 * compression asked for.
 */
@ApplicationScoped
public class SalesforceHttpComponent {

    @Produces
    @Named("http")
    @ApplicationScoped
    HttpComponent http(SalesforceSettings settings) {
        HttpComponent http = new HttpComponent();
        long answer = settings.requestTimeout().toMillis();
        http.setConnectTimeout(10_000);
        http.setConnectionRequestTimeout(answer);
        http.setResponseTimeout(answer);
        http.setSoTimeout(answer);
        http.setAutomaticRetriesDisabled(true);
        http.setCookieManagementDisabled(true);
        http.setRedirectHandlingDisabled(true);
        http.setFollowRedirects(false);
        http.setContentCompressionDisabled(true);
        return http;
    }
}
