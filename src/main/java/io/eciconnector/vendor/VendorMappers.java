package io.eciconnector.vendor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The vendor mappers by name, as the route files name them (header eciVendor). */
@ApplicationScoped
public class VendorMappers {

    private final Map<String, VendorMapper> mappers = new LinkedHashMap<>();

    public VendorMappers(@ConfigProperty(name = "eci.phone.default-region", defaultValue = "US") String region) {
        for (VendorMapper m : List.of(new GenericMapper(region), new AmazonConnectMapper(region),
                new AircallMapper(region), new DialpadMapper(region), new RingCentralMapper(region),
                new TwilioMapper(region))) {
            mappers.put(m.name(), m);
        }
    }

    public VendorMapper get(String vendor) {
        VendorMapper m = mappers.get(vendor == null ? "generic" : vendor.trim().toLowerCase());
        if (m == null) {
            throw new IllegalArgumentException("unknown vendor '" + vendor + "'; one of " + mappers.keySet());
        }
        return m;
    }
}
