package dev.tocsin.it;

import java.io.File;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** The WAR that Maven built, so that the descriptors under test are the shipped ones. */
final class TocsinWar {

    private TocsinWar() {
    }

    static WebArchive built() {
        File war = new File(System.getProperty("tocsin.war", "target/tocsin.war"));
        return ShrinkWrap.create(ZipImporter.class, "tocsin.war").importFrom(war).as(WebArchive.class);
    }
}
