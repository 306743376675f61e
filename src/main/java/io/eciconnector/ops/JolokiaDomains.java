package io.eciconnector.ops;

import java.util.Set;

import javax.management.ObjectName;

import org.jolokia.server.core.restrictor.AllowAllRestrictor;

/** Jolokia sees Camel's MBeans and the JVM's, nothing else (no arbitrary MBean of a library). */
public class JolokiaDomains extends AllowAllRestrictor {

    static final Set<String> DOMAINS = Set.of("org.apache.camel", "java.lang", "java.nio", "jolokia");

    private static boolean allowed(ObjectName name) {
        return name == null || DOMAINS.contains(name.getDomain());
    }

    @Override
    public boolean isAttributeReadAllowed(ObjectName name, String attribute) {
        return allowed(name);
    }

    @Override
    public boolean isAttributeWriteAllowed(ObjectName name, String attribute) {
        return allowed(name);
    }

    @Override
    public boolean isOperationAllowed(ObjectName name, String operation) {
        return allowed(name);
    }

    @Override
    public boolean isObjectNameHidden(ObjectName name) {
        return !allowed(name);
    }
}
