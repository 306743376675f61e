package io.eciconnector.salesforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.http.HttpMethods;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/**
 * The steps around one request that need no org: the method camel-http reads is set as its own type (not text that
 * Camel's type converters look up at every request), and the answer's body is read as UTF-8 text from what camel-http
 * leaves (a stream, bytes or text).
 */
class SalesforceRequestTest {

    /** Signs with a fixed token at a fixed base URL. */
    static final class FixedCredential implements SalesforceRequest.Credential {
        @Override
        public String authorization() {
            return "Bearer t";
        }

        @Override
        public void refused(String authorization) {
        }

        @Override
        public String url(String path) {
            return "http://127.0.0.1:9" + path;
        }
    }

    private static Exchange opened(Object method, Object body) throws Exception {
        CamelContext camel = new DefaultCamelContext();
        camel.getRegistry().bind("fixed", SalesforceRequest.Credential.class, new FixedCredential());
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(SalesforceRequest.PATH, "/services/data/v62.0/x");
        exchange.setProperty(SalesforceRequest.CREDENTIAL, "fixed");
        if (method != null) {
            exchange.getMessage().setHeader(Exchange.HTTP_METHOD, method);
        }
        exchange.getMessage().setBody(body);
        new SalesforceRequest().open(exchange);
        return exchange;
    }

    @Test
    void theMethodIsSetAsCamelHttpReadsItPostWhenNoneIsNamed() throws Exception {
        Exchange post = opened(null, "{}");
        assertSame(HttpMethods.POST, post.getMessage().getHeader(Exchange.HTTP_METHOD));
        assertEquals("{}", post.getMessage().getBody());
        assertEquals("http://127.0.0.1:9/services/data/v62.0/x", post.getMessage().getHeader(Exchange.HTTP_URI));

        Exchange get = opened("get", "");
        assertSame(HttpMethods.GET, get.getMessage().getHeader(Exchange.HTTP_METHOD));
        assertNull(get.getMessage().getBody(), "a GET sends no body");

        // a second send after a 401 opens the same exchange again: the method stays what it was
        new SalesforceRequest().open(get);
        assertSame(HttpMethods.GET, get.getMessage().getHeader(Exchange.HTTP_METHOD));
        assertSame(HttpMethods.PATCH, opened(HttpMethods.PATCH, "{}").getMessage().getHeader(Exchange.HTTP_METHOD));
    }

    @Test
    void aMethodThatIsNoneIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SalesforceRequest.method("FETCH"));
        assertTrue(e.getMessage().contains("FETCH") && e.getMessage().contains(Exchange.HTTP_METHOD), e.getMessage());
    }

    @Test
    void theAnswerIsReadAsUtf8WhateverCamelHttpLeftAsTheBody() throws Exception {
        String json = "{\"message\":\"Zoë's call\"}";
        Exchange e = new DefaultExchange(new DefaultCamelContext());
        e.getMessage().setBody(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
        assertEquals(json, SalesforceRequest.text(e.getMessage()));
        e.getMessage().setBody(json.getBytes(StandardCharsets.UTF_8));
        assertEquals(json, SalesforceRequest.text(e.getMessage()));
        e.getMessage().setBody(json);
        assertEquals(json, SalesforceRequest.text(e.getMessage()));
        e.getMessage().setBody(null);
        assertNull(SalesforceRequest.text(e.getMessage()));
    }
}
