package dev.tocsin.alerts.control;

import java.util.concurrent.locks.ReentrantLock;

/** A fixed set of locks striped by topic name: a topic always gets the same one. */
final class TopicLocks {

    private final ReentrantLock[] locks = new ReentrantLock[64];

    TopicLocks() {
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    ReentrantLock of(String topic) {
        return locks[Math.floorMod(topic.hashCode(), locks.length)];
    }
}
