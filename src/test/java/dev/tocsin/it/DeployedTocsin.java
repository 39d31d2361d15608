package dev.tocsin.it;

import java.net.URL;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Base of the Arquillian suites: the WAR Maven built, deployed to the managed Payara Micro of
 * src/test/resources/arquillian.xml, and driven from outside over real sockets.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
abstract class DeployedTocsin {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return TocsinWar.built();
    }

    @ArquillianResource
    URL base;

    Tocsin tocsin;

    @BeforeEach
    void server() {
        tocsin = new Tocsin(base);
    }
}
