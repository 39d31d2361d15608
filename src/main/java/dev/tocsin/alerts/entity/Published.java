package dev.tocsin.alerts.entity;

/** The outcome of a publication: the accepted alert and how many local connections it was queued to. */
public record Published(Alert alert, int recipients) {
}
