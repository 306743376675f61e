package io.eciconnector.config;

import java.util.Arrays;

import io.eciconnector.samples.SampleGenerator;
import org.apache.camel.quarkus.main.CamelMainApplication;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * Entry point. {@code java -jar quarkus-run.jar} starts the connector; {@code java -jar quarkus-run.jar
 * generate-samples [options]} writes sample data and exits without starting anything else.
 */
@QuarkusMain
public class Main {

    public static void main(String... args) throws Exception {
        if (args.length > 0 && args[0].equals("generate-samples")) {
            SampleGenerator.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        Quarkus.run(CamelMainApplication.class, args);
    }
}
