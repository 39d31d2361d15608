package dev.tocsin.alerts.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.UUID;

/**
 * The alert log's identity: one row, made once by the first node to start on the database. Nodes
 * relay alerts to each other only when they share it, so two deployments that happen to find
 * each other in one cluster (the same cluster name and ports) never mix their offsets.
 */
@Entity
@Table(name = "tocsin_log")
public class LogIdentity {

    public static final String KEY = "log";

    @Id
    @Column(length = 16)
    private String name;

    @Column(nullable = false, length = 36)
    private String id;

    protected LogIdentity() {
    }

    public static LogIdentity random() {
        LogIdentity identity = new LogIdentity();
        identity.name = KEY;
        identity.id = UUID.randomUUID().toString();
        return identity;
    }

    public String id() {
        return id;
    }
}
