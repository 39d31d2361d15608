package dev.tocsin.sessions.boundary;

import jakarta.websocket.server.ServerEndpointConfig;
import jakarta.enterprise.inject.spi.CDI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Refuses the upgrade (403) unless the Origin header is on {@code tocsin.origins.allowed}. Tyrus
 * accepts any origin by default, which lets any web page open a socket with a user's cookies
 * (cross-site WebSocket hijacking). A request without Origin does not come from a browser page
 * and is let through: it must still authenticate with a token.
 */
public class OriginPolicy extends ServerEndpointConfig.Configurator {

    public static final String ALLOWED = "tocsin.origins.allowed";
    public static final String DEFAULT_ALLOWED = "http://localhost:8080,http://127.0.0.1:8080";

    private static final Map<Class<?>, Object> ENDPOINTS = new ConcurrentHashMap<>();

    private final List<String> allowed = ConfigProvider.getConfig().getOptionalValues(ALLOWED, String.class)
            .orElse(List.of(DEFAULT_ALLOWED.split(",")));

    /**
     * The same endpoint instance for every connection. Creating and injecting a CDI instance per
     * connection (EJB reference, executor lookups) was a tenth of the set-up cost of a connection.
     */
    @Override
    public <T> T getEndpointInstance(Class<T> endpointClass) {
        return endpointClass.cast(ENDPOINTS.computeIfAbsent(endpointClass, type -> CDI.current().select(type).get()));
    }

    @Override
    public boolean checkOrigin(String origin) {
        return origin == null || allowed.contains("*") || allowed.contains(origin);
    }
}
