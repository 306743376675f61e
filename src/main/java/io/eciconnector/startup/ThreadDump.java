package io.eciconnector.startup;

import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Predicate;

/** Thread stacks as jstack prints them, with the locks they hold and wait for, and any deadlock found. */
public final class ThreadDump {

    private ThreadDump() {
    }

    /** Every thread. */
    public static String all() {
        return dump(t -> true);
    }

    /**
     * The threads that look stuck: those in a deadlock, those blocked on or waiting for a lock another thread owns,
     * and the main thread (where a start runs).
     */
    public static String stuck() {
        Set<Long> deadlocked = deadlockedIds();
        return dump(t -> deadlocked.contains(t.getThreadId()) || t.getLockOwnerId() >= 0
                || t.getThreadState() == Thread.State.BLOCKED || "main".equals(t.getThreadName()));
    }

    static Set<Long> deadlockedIds() {
        long[] ids = ManagementFactory.getThreadMXBean().findDeadlockedThreads();
        Set<Long> out = new HashSet<>();
        if (ids != null) {
            Arrays.stream(ids).forEach(out::add);
        }
        return out;
    }

    static String dump(Predicate<ThreadInfo> which) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        ThreadInfo[] infos = mx.dumpAllThreads(mx.isObjectMonitorUsageSupported(), mx.isSynchronizerUsageSupported());
        Set<Long> deadlocked = deadlockedIds();
        StringBuilder out = new StringBuilder();
        if (!deadlocked.isEmpty()) {
            out.append("DEADLOCK among ").append(deadlocked.size()).append(" threads:");
            for (ThreadInfo t : infos) {
                if (t != null && deadlocked.contains(t.getThreadId())) {
                    out.append(" \"").append(t.getThreadName()).append("\" waits for ").append(t.getLockName())
                            .append(" held by \"").append(t.getLockOwnerName()).append("\";");
                }
            }
            out.append('\n');
        }
        int shown = 0;
        for (ThreadInfo t : infos) {
            if (t == null || !which.test(t)) {
                continue;
            }
            shown++;
            out.append('"').append(t.getThreadName()).append("\" #").append(t.getThreadId())
                    .append(t.isDaemon() ? " daemon" : "").append(' ').append(t.getThreadState());
            if (t.getLockName() != null) {
                out.append(" on ").append(t.getLockName());
            }
            if (t.getLockOwnerName() != null) {
                out.append(" owned by \"").append(t.getLockOwnerName()).append("\" #").append(t.getLockOwnerId());
            }
            out.append('\n');
            StackTraceElement[] stack = t.getStackTrace();
            for (int i = 0; i < stack.length; i++) {
                out.append("\tat ").append(stack[i]).append('\n');
                for (MonitorInfo m : t.getLockedMonitors()) {
                    if (m.getLockedStackDepth() == i) {
                        out.append("\t- locked ").append(m).append('\n');
                    }
                }
            }
            LockInfo[] synchronizers = t.getLockedSynchronizers();
            if (synchronizers.length > 0) {
                out.append("\tLocked synchronizers: ").append(Arrays.toString(synchronizers)).append('\n');
            }
            out.append('\n');
        }
        out.append(shown).append(" of ").append(infos.length).append(" threads shown\n");
        return out.toString();
    }
}
