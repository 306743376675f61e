package io.eciconnector.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

import org.eclipse.microprofile.config.ConfigProvider;

import io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;
import io.restassured.RestAssured;
import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;

/**
 * The flow tests call the operations API (GET /calls/..., /signals/calls/..., /signals/outbox, POST .../replay) as an
 * operator does, with the operations token: a RestAssured filter, installed before each Quarkus test, adds
 * {@code Authorization: Bearer <the running application's eci.ops.token>} to requests of those paths that carry no
 * Authorization header of their own. Tests of the refusals (OperationsApiAccessTest) use a plain HTTP client.
 */
public class OpsToken implements QuarkusTestBeforeEachCallback, Filter {

    static final Pattern OPERATIONS_PATHS = Pattern.compile("^/(calls(/.*)?|signals/(calls/.*|outbox))$");

    @Override
    public void beforeEach(QuarkusTestMethodContext context) {
        if (RestAssured.filters().stream().noneMatch(f -> f instanceof OpsToken)) {
            RestAssured.filters(new OpsToken());
        }
    }

    /** The running application's operations token: eci.ops.token, else its file, else the generated one. */
    public static String token() {
        var config = ConfigProvider.getConfig();
        return config.getOptionalValue("eci.ops.token", String.class).filter(t -> !t.isBlank()).orElseGet(() -> {
            String file = config.getOptionalValue("eci.ops.token-file", String.class)
                    .orElseGet(() -> config.getValue("eci.ops.generated-token-file", String.class));
            try {
                return Files.readString(Path.of(file)).trim();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Override
    public Response filter(FilterableRequestSpecification request, FilterableResponseSpecification response,
            FilterContext ctx) {
        String path = request.getUserDefinedPath();
        int query = path.indexOf('?');
        if (OPERATIONS_PATHS.matcher(query < 0 ? path : path.substring(0, query)).matches()
                && !request.getHeaders().hasHeaderWithName("Authorization")) {
            request.header("Authorization", "Bearer " + token());
        }
        return ctx.next(request, response);
    }
}
