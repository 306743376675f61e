package io.eciconnector.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.UniqueId;
import org.junit.platform.engine.support.descriptor.AbstractTestDescriptor;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.jupiter.api.Test;

/** The guard that ends a hung test JVM: it reports a test past its bound, and only such a test. */
class HangGuardTest {

    static TestIdentifier test(String name) {
        TestDescriptor d = new AbstractTestDescriptor(UniqueId.forEngine("hang-guard-test").append("test", name), name) {
            @Override
            public Type getType() {
                return Type.TEST;
            }
        };
        return TestIdentifier.from(d);
    }

    @Test
    void aTestPastItsBoundIsReportedAndAFinishedOneIsNot() throws Exception {
        List<String> hangs = new CopyOnWriteArrayList<>();
        HangGuard guard = new HangGuard(Duration.ofSeconds(2), Duration.ofHours(1), 0, hangs::add);
        TestIdentifier stuck = test("stuck");
        TestIdentifier quick = test("quick");
        guard.executionStarted(stuck);
        guard.executionStarted(quick);
        guard.executionFinished(quick, TestExecutionResult.successful());
        guard.check();
        assertEquals(List.of(), hangs, "nothing past its bound yet");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
            guard.check();
            return !hangs.isEmpty();
        });
        assertEquals(1, hangs.size());
        assertTrue(hangs.get(0).startsWith("test stuck of ") && hangs.get(0).contains("still running after"), hangs.get(0));
    }
}
