package dev.tocsin.rest;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** Every REST resource lives under /api. */
@ApplicationPath(RestApplication.PATH)
public class RestApplication extends Application {
    public static final String PATH = "api";
}
