package io.eciconnector.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.eciconnector.testing.Dirs;

/**
 * The flow tests' settings with a copy of routes/ that an operator edited, and nothing else changed (no Java, no
 * configuration key): (a) a filter at the per-call extension point of routes/ingest-records.yaml leaves RingCentral's
 * calls, and the calls the checks would skip, out; (b) routes/dead-letters.yaml sends Dialpad's dead letters to a folder of their own; (c) two more folder
 * sources in routes/ingest-folder.yaml, each one templatedRoute of the folder-drop template (Dialpad, RingCentral);
 * (d) routes/salesforce-request.yaml's endpoint gets one more parameter (its default value: nothing else changes).
 */
public class OperatorEditsProfile extends FlowProfile {

    static final Path ROUTES = Path.of("target/operator-edits/routes");
    static final String DIALPAD_INBOX = "target/flow/inbox-dialpad";
    static final String RINGCENTRAL_INBOX = "target/flow/inbox-ringcentral";
    static final String DIALPAD_DEAD_LETTERS = "target/flow/dead-letters-dialpad";

    /** The take step of a call, as routes/ingest-records.yaml has it (44 columns in). */
    static final String TAKE = """
            - bean:
                ref: intake
                method: take
            """.indent(44);

    /** (a) the same step inside a filter: RingCentral's calls, and calls the checks skip, never reach it. */
    static final String FILTERED_TAKE = """
            - filter:
                simple: "${header.eciVendor} != 'ringcentral' && ${header.eciCheck} != 'skipped'"
                steps:
                  - bean:
                      ref: intake
                      method: take
            """.indent(44);

    /** The first step of routes/dead-letters.yaml. */
    static final String DEAD_LETTER_STEPS = """
            steps:
              - to:
                  uri: "file:{{eci.dead-letter.dir:data/dead-letters}}"
            """.indent(6);

    /** (b) Dialpad's dead letters to their own folder, the others as before. */
    static final String DEAD_LETTER_CHOICE = """
            steps:
              - choice:
                  when:
                    - simple: "${header.eciVendor} == 'dialpad'"
                      steps:
                        - to:
                            uri: "file:%s"
                            parameters:
                              fileName: "${header.eciDeadLetterName}"
                        - stop: {}
              - to:
                  uri: "file:{{eci.dead-letter.dir:data/dead-letters}}"
            """.formatted(DIALPAD_DEAD_LETTERS).indent(6);

    /** The last parameter of routes/salesforce-request.yaml's toD (26 columns in). */
    static final String REQUEST_ENDPOINT = "lazyStartProducer: true\n".indent(26);

    /** (d) one more parameter on it: camel-http's own default, so every request goes as before. */
    static final String EDITED_REQUEST_ENDPOINT = "lazyStartProducer: true\nfollowRedirects: false\n".indent(26);

    /** (c) two more drop folders from the template. */
    static final String MORE_FOLDERS = """

            - templatedRoute:
                routeTemplateRef: folder-drop
                routeId: ingest-folder-dialpad
                parameters:
                  - name: dir
                    value: %s
                  - name: vendor
                    value: dialpad
                  - name: pollMs
                    value: "200"
            - templatedRoute:
                routeTemplateRef: folder-drop
                routeId: ingest-folder-ringcentral
                parameters:
                  - name: dir
                    value: %s
                  - name: vendor
                    value: ringcentral
                  - name: pollMs
                    value: "200"
            """.formatted(DIALPAD_INBOX, RINGCENTRAL_INBOX);

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> m = super.getConfigOverrides();
        copyAndEdit();
        m.put("eci.routes.dir", ROUTES.toString());
        return m;
    }

    static void copyAndEdit() {
        try {
            Dirs.copyRoutes(ROUTES);
            replace("ingest-records.yaml", TAKE, FILTERED_TAKE);
            replace("dead-letters.yaml", DEAD_LETTER_STEPS, DEAD_LETTER_CHOICE);
            replace("salesforce-request.yaml", REQUEST_ENDPOINT, EDITED_REQUEST_ENDPOINT);
            Path folder = ROUTES.resolve("ingest-folder.yaml");
            Files.writeString(folder, Files.readString(folder) + MORE_FOLDERS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Replaces text that must be there once (the route file changed when it is not: the edit would do nothing). */
    static void replace(String file, String from, String to) throws IOException {
        Path f = ROUTES.resolve(file);
        String text = Files.readString(f);
        int at = text.indexOf(from);
        if (at < 0 || text.indexOf(from, at + 1) >= 0) {
            throw new IllegalStateException("routes/" + file + " does not hold this once:\n" + from);
        }
        Files.writeString(f, text.replace(from, to));
    }
}
