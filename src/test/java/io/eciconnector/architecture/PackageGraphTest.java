package io.eciconnector.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The product's packages (one per concern, src/main/java/io/eciconnector/*): the product never reaches the embedded
 * sandbox by code (only through the URLs it answers on and the EmbeddedOrg interface it implements), and no two
 * packages depend on each other, directly or through others. Read from the sources: every import or fully qualified
 * use of {@code io.eciconnector.<package>.<Type>}.
 */
class PackageGraphTest {

    static final Path ROOT = Path.of("src/main/java/io/eciconnector");
    static final Pattern USE = Pattern.compile("io\\.eciconnector\\.([a-z]+)\\.[A-Z]");

    static Map<String, Set<String>> graph() throws IOException {
        Map<String, Set<String>> g = new TreeMap<>();
        try (Stream<Path> packages = Files.list(ROOT)) {
            for (Path p : packages.filter(Files::isDirectory).toList()) {
                String name = p.getFileName().toString();
                Set<String> deps = new TreeSet<>();
                try (Stream<Path> files = Files.walk(p, 1)) {
                    files.filter(f -> f.toString().endsWith(".java")).forEach(f -> {
                        try {
                            Matcher m = USE.matcher(Files.readString(f));
                            while (m.find()) {
                                deps.add(m.group(1));
                            }
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
                }
                deps.remove(name);
                g.put(name, deps);
            }
        }
        return g;
    }

    @Test
    void noProductPackageUsesTheSandbox() throws IOException {
        List<String> users = new ArrayList<>();
        graph().forEach((p, deps) -> {
            if (!p.equals("sandbox") && deps.contains("sandbox")) {
                users.add(p);
            }
        });
        assertEquals(List.of(), users, "product packages that use io.eciconnector.sandbox");
    }

    @Test
    void thePackageGraphHasNoCycle() throws IOException {
        Map<String, Set<String>> g = graph();
        assertEquals(List.of(), cycles(g), "package cycles in " + g);
    }

    /** The strongly connected groups of more than one package (Tarjan). */
    static List<Set<String>> cycles(Map<String, Set<String>> g) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<Set<String>> found = new ArrayList<>();
        int[] counter = { 0 };
        for (String v : g.keySet()) {
            if (!index.containsKey(v)) {
                connect(v, g, index, low, stack, onStack, found, counter);
            }
        }
        return found;
    }

    private static void connect(String v, Map<String, Set<String>> g, Map<String, Integer> index,
            Map<String, Integer> low, Deque<String> stack, Set<String> onStack, List<Set<String>> found, int[] counter) {
        index.put(v, counter[0]);
        low.put(v, counter[0]++);
        stack.push(v);
        onStack.add(v);
        for (String w : g.getOrDefault(v, Set.of())) {
            if (!g.containsKey(w)) {
                continue;
            }
            if (!index.containsKey(w)) {
                connect(w, g, index, low, stack, onStack, found, counter);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> group = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                group.add(w);
            } while (!w.equals(v));
            if (group.size() > 1) {
                found.add(group);
            }
        }
    }

    @Test
    void aCycleIsFound() {
        // the check itself: a -> b -> c -> a is one group, d alone is none
        Map<String, Set<String>> g = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a"));
        assertEquals(List.of(Set.of("a", "b", "c")), cycles(g));
    }
}
