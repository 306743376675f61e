package io.eciconnector.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.eciconnector.model.MappedCall;

/**
 * The shape of routes/ingest-records.yaml itself (loaded as the product loads it, with a stand-in for the intake
 * bean): the size bound, the attempts, the split call by call, and a failure part-way that keeps the record for the
 * next poll (the rest not taken, the attempt's reason kept, the failure on to the source).
 */
public class RecordInRouteTest {

    /** Records what the route asks of the intake; take fails for the call named FAIL. */
    public static class FakeIntake {
        final List<String> steps = new ArrayList<>();
        final List<String> checksSeen = new ArrayList<>();
        int attempt = 1;
        Throwable failedWith;
        boolean closed;

        public Map<String, Object> tooLarge(Exchange e) {
            steps.add("tooLarge");
            return Map.of("refused", 1);
        }

        public void begin(Exchange e) {
            steps.add("begin");
            e.setProperty(Intake.COUNTS, new LinkedHashMap<String, Object>());
            e.getMessage().setHeader(Intake.ATTEMPT, attempt);
        }

        public Map<String, Object> tooManyAttempts(Exchange e) {
            steps.add("tooManyAttempts");
            return Map.of("refused", 1);
        }

        public Iterator<RecordCalls.Item> calls(Exchange e) {
            steps.add("calls");
            List<RecordCalls.Item> items = new ArrayList<>();
            for (String id : e.getMessage().getBody(String.class).split(",")) {
                items.add(new RecordCalls.Item(MappedCall.failed(id, "stand-in", null), false, null));
            }
            Iterator<RecordCalls.Item> it = items.iterator();
            return new CloseableItems(it, this);
        }

        public void check(Exchange e) {
            String id = e.getMessage().getBody(RecordCalls.Item.class).getExternalId();
            steps.add("check " + id);
            e.getMessage().setHeader(Intake.CHECK, "checked-" + id);
        }

        public void take(Exchange e) throws IOException {
            String id = e.getMessage().getBody(RecordCalls.Item.class).getExternalId();
            steps.add("take " + id);
            checksSeen.add(e.getMessage().getHeader(Intake.CHECK, String.class));
            if (id.equals("FAIL")) {
                throw new IOException("the ledger is down");
            }
        }

        public void unreadable(Exchange e) {
            steps.add("unreadable");
        }

        public Map<String, Object> done(Exchange e) {
            steps.add("done");
            return Map.of("checked", 2);
        }

        public void failed(Exchange e) throws Exception {
            failedWith = Intake.cause(e.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class));
            steps.add("failed");
            throw (Exception) failedWith;
        }
    }

    /** The items as RecordCalls hands them: closeable, so that the split stops the reader however it ends. */
    static final class CloseableItems implements Iterator<RecordCalls.Item>, java.io.Closeable {
        final Iterator<RecordCalls.Item> items;
        final FakeIntake intake;

        CloseableItems(Iterator<RecordCalls.Item> items, FakeIntake intake) {
            this.items = items;
            this.intake = intake;
        }

        @Override
        public boolean hasNext() {
            return items.hasNext();
        }

        @Override
        public RecordCalls.Item next() {
            return items.next();
        }

        @Override
        public void close() {
            intake.closed = true;
        }
    }

    CamelContext camel;
    FakeIntake intake;
    ProducerTemplate producer;

    @BeforeEach
    void start() throws Exception {
        camel = io.eciconnector.testing.PlainCamel.context();
        intake = new FakeIntake();
        camel.getRegistry().bind("intake", intake);
        PluginHelper.getRoutesLoader(camel).loadRoutes(ResourceHelper.resolveResource(camel,
                "file:routes/ingest-records.yaml"));
        camel.start();
        producer = camel.createProducerTemplate();
    }

    @AfterEach
    void stop() {
        camel.stop();
    }

    Object send(String calls, long bytes) {
        return producer.requestBodyAndHeaders("direct:record-in", calls, Map.of("eciRecordBytes", bytes,
                "eciVendor", "generic", "eciRecordName", "r.json"));
    }

    @Test
    void eachCallIsTakenInTurnThenTheRecordIsDone() {
        assertEquals(Map.of("checked", 2), send("A,B", 100));
        assertEquals(List.of("begin", "calls", "check A", "take A", "check B", "take B", "done"), intake.steps);
        assertEquals(List.of("checked-A", "checked-B"), intake.checksSeen, "each call's own check reaches its take");
        assertNull(intake.failedWith);
        assertTrue(intake.closed, "the split closed the record's items");
    }

    @Test
    void aFailurePartWayStopsTheRecordKeepsWhyAndReachesTheSource() {
        CamelExecutionException e = assertThrows(CamelExecutionException.class, () -> send("A,FAIL,C", 100));
        assertEquals(List.of("begin", "calls", "check A", "take A", "check FAIL", "take FAIL", "failed"), intake.steps,
                "C is not taken and the record is not done: it stays for the next poll");
        assertInstanceOf(IOException.class, intake.failedWith, "the failure itself, not the split's wrapper");
        assertEquals("the ledger is down", intake.failedWith.getMessage());
        assertInstanceOf(IOException.class, e.getCause());
        assertTrue(intake.closed, "the split closed the record's items (the reader stops) when it stopped early");
    }

    @Test
    void aRecordOverTheBoundIsNotReadAndOneThatFailedTooOftenNotSplit() {
        send("A", 67108865L);
        assertEquals(List.of("tooLarge"), intake.steps);
        intake.steps.clear();
        intake.attempt = 6;
        send("A", 100);
        assertEquals(List.of("begin", "tooManyAttempts"), intake.steps);
    }
}
