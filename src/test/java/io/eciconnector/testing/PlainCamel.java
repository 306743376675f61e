package io.eciconnector.testing;

import org.apache.camel.cli.connector.DefaultCliConnectorFactory;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.CliConnectorFactory;

/**
 * A Camel context of a test's own, without the Camel JBang CLI connector that camel-cli-connector on the classpath
 * brings to every context: its task runs at once on a thread of its own and introspects beans while the context is
 * still starting, and Camel 4.14's DefaultBeanIntrospection keeps the log lines of that phase in a plain ArrayList
 * (seen: ConcurrentModificationException from DefaultCamelContext.start in OAuthConformanceTest).
 */
public final class PlainCamel {

    private PlainCamel() {
    }

    public static DefaultCamelContext context() {
        DefaultCamelContext camel = new DefaultCamelContext();
        DefaultCliConnectorFactory none = new DefaultCliConnectorFactory();
        none.setEnabled(false);
        camel.getCamelContextExtension().addContextPlugin(CliConnectorFactory.class, none);
        return camel;
    }
}
