package io.eciconnector.salesforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.http.HttpComponent;
import org.junit.jupiter.api.Test;

/**
 * The org (or a proxy in front of it) closes a kept-alive connection while it is idle. The connector's HTTP component
 * checks a pooled connection before using it again, so the next request goes out on a new connection and gets its
 * answer; a component without the check sends it on the closed one and gets none (for a create request that is an
 * unknown outcome: looked up, resent only after eci.create.settle-time).
 */
class SalesforceHttpComponentTest {

    /** Answers each request on a connection, then closes the connection (as an idle timeout would). */
    static final class ClosingServer implements AutoCloseable {
        final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final AtomicInteger connections = new AtomicInteger();
        final CountDownLatch firstClosed = new CountDownLatch(1);
        final Thread thread = new Thread(this::serve, "closing-server");

        ClosingServer() throws IOException {
            socket.setSoTimeout(20_000);
            thread.setDaemon(true);
            thread.start();
        }

        void serve() {
            while (!socket.isClosed()) {
                try (Socket s = socket.accept()) {
                    int n = connections.incrementAndGet();
                    s.setSoTimeout(10_000);
                    readRequest(s.getInputStream());
                    byte[] body = ("answer " + n).getBytes(StandardCharsets.UTF_8);
                    OutputStream out = s.getOutputStream();
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length
                            + "\r\nConnection: keep-alive\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();
                } catch (IOException e) {
                    return;
                } finally {
                    firstClosed.countDown();
                }
            }
        }

        static void readRequest(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("request cut short");
                }
                head.write(b);
            }
            String h = head.toString(StandardCharsets.US_ASCII).toLowerCase();
            int at = h.indexOf("content-length:");
            if (at >= 0) {
                int length = Integer.parseInt(h.substring(at + 15, h.indexOf("\r\n", at)).trim());
                in.readNBytes(length);
            }
        }

        String url() {
            return "http://127.0.0.1:" + socket.getLocalPort() + "/services/data/v60.0/voicecalls";
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    static Exchange post(CamelContext camel, String url) {
        return camel.createProducerTemplate().request("http://salesforce-instance?throwExceptionOnFailure=false", e -> {
            e.getMessage().setHeader(Exchange.HTTP_URI, url);
            e.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
            e.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json; charset=UTF-8");
            e.getMessage().setBody("{\"calls\":[]}");
        });
    }

    static Exchange secondAfterTheFirstConnectionClosed(HttpComponent http) throws Exception {
        try (ClosingServer server = new ClosingServer(); CamelContext camel = io.eciconnector.testing.PlainCamel.context()) {
            camel.addComponent("http", http);
            camel.start();
            Exchange first = post(camel, server.url());
            assertNull(first.getException());
            assertEquals("answer 1", first.getMessage().getBody(String.class));
            assertTrue(server.firstClosed.await(10, TimeUnit.SECONDS), "the server closed its first connection");
            return post(camel, server.url());
        }
    }

    @Test
    void aConnectionTheServerClosedWhileIdleIsNotUsedAgain() throws Exception {
        Exchange second = secondAfterTheFirstConnectionClosed(SalesforceHttpComponent.component(Duration.ofSeconds(5)));
        assertNull(second.getException(), "the second request got its answer on a new connection");
        assertEquals(200, second.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class));
        assertEquals("answer 2", second.getMessage().getBody(String.class));
    }

    /** The control: the same server and requests, Camel's component as it comes (no resend, no check). */
    @Test
    void withoutTheCheckTheRequestGoesOutOnTheClosedConnectionAndGetsNoAnswer() throws Exception {
        HttpComponent plain = new HttpComponent();
        plain.setAutomaticRetriesDisabled(true);
        Exchange second = secondAfterTheFirstConnectionClosed(plain);
        assertNotNull(second.getException(), "no answer on the closed connection");
        assertInstanceOf(IOException.class, second.getException());
    }
}
