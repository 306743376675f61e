package io.eciconnector.signals;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.camel.Exchange;
import org.apache.camel.converter.stream.InputStreamCache;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** The body of a signal source's message as bytes, whatever the source left: bytes, a cached stream, a stream, text. */
class SignalIntakeBytesTest {

    private static final byte[] RECORD = "{\"Version\":\"1.1.0\",\"ContactId\":\"c-1\"}".getBytes(StandardCharsets.UTF_8);

    private static Exchange with(Object body) {
        Exchange e = new DefaultExchange(new DefaultCamelContext());
        e.getMessage().setBody(body);
        return e;
    }

    @Test
    void bytesAreTakenAsTheyAre() throws IOException {
        assertSame(RECORD, SignalIntake.bytes(with(RECORD).getMessage()));
    }

    @Test
    void aCachedStreamIsReadWholeAndLeftResetForTheStepsAfter() throws IOException {
        Exchange e = with(new InputStreamCache(RECORD));
        assertArrayEquals(RECORD, SignalIntake.bytes(e.getMessage()));
        // a dead letter made later in the flow reads the same bytes again
        assertArrayEquals(RECORD, e.getMessage().getBody(InputStreamCache.class).readAllBytes());
    }

    @Test
    void aStreamIsReadWholeAndClosed() throws IOException {
        AtomicBoolean closed = new AtomicBoolean();
        ByteArrayInputStream stream = new ByteArrayInputStream(RECORD) {
            @Override
            public void close() {
                closed.set(true);
            }
        };
        assertArrayEquals(RECORD, SignalIntake.bytes(with(stream).getMessage()));
        assertTrue(closed.get());
    }

    @Test
    void textIsConvertedAsUtf8() throws IOException {
        assertArrayEquals(RECORD, SignalIntake.bytes(with(new String(RECORD, StandardCharsets.UTF_8)).getMessage()));
    }
}
