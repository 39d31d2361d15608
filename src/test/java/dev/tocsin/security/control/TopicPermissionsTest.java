package dev.tocsin.security.control;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tocsin.security.entity.Action;
import dev.tocsin.security.entity.Caller;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TopicPermissionsTest {

    static Caller caller(String... groups) {
        return new Caller("alice", Set.of(groups), Instant.MAX);
    }

    static boolean subscribes(String rules, Caller caller, String topic) {
        return new TopicPermissions(rules).allows(caller, Action.SUBSCRIBE, topic);
    }

    @Test
    void allowsNothingWithoutRules() {
        for (TopicPermissions none : new TopicPermissions[] {new TopicPermissions(null), new TopicPermissions(""),
                new TopicPermissions(" ; ;")}) {
            assertFalse(none.allows(caller("ops"), Action.SUBSCRIBE, "alerts"));
            assertFalse(none.allows(caller("ops"), Action.PUBLISH, "alerts"));
        }
    }

    @Test
    void aLiteralPatternMatchesOnlyThatTopic() {
        String rules = "subscribe alerts.ops *";

        assertTrue(subscribes(rules, caller(), "alerts.ops"));
        assertFalse(subscribes(rules, caller(), "alerts"));
        assertFalse(subscribes(rules, caller(), "alerts.ops.db"));
        assertFalse(subscribes(rules, caller(), "alerts.opsx"));
        assertFalse(subscribes(rules, caller(), "other.ops"));
    }

    @Test
    void aSingleStarMatchesExactlyOneSegment() {
        String rules = "subscribe alerts.* *";

        assertTrue(subscribes(rules, caller(), "alerts.ops"));
        assertTrue(subscribes(rules, caller(), "alerts.db"));
        assertFalse(subscribes(rules, caller(), "alerts"));
        assertFalse(subscribes(rules, caller(), "alerts.ops.db"));
        assertFalse(subscribes(rules, caller(), "other.ops"));
    }

    @Test
    void aStarInTheMiddleMatchesOneSegmentThere() {
        String rules = "subscribe hosts.*.cpu *";

        assertTrue(subscribes(rules, caller(), "hosts.h1.cpu"));
        assertFalse(subscribes(rules, caller(), "hosts.h1.mem"));
        assertFalse(subscribes(rules, caller(), "hosts.h1.h2.cpu"));
        assertFalse(subscribes(rules, caller(), "hosts.cpu"));
    }

    @Test
    void aFinalDoubleStarMatchesOneOrMoreSegments() {
        String rules = "subscribe alerts.** *";

        assertTrue(subscribes(rules, caller(), "alerts.ops"));
        assertTrue(subscribes(rules, caller(), "alerts.ops.db"));
        assertTrue(subscribes(rules, caller(), "alerts.a.b.c.d.e.f.g"));
        assertFalse(subscribes(rules, caller(), "alerts"));
        assertFalse(subscribes(rules, caller(), "other.ops"));
    }

    @Test
    void aDoubleStarAloneMatchesEveryTopic() {
        assertTrue(subscribes("subscribe ** *", caller(), "alerts"));
        assertTrue(subscribes("subscribe ** *", caller(), "alerts.ops.db"));
    }

    @Test
    void theGroupStarMeansAnyAuthenticatedCallerEvenOneWithoutGroups() {
        assertTrue(subscribes("subscribe alerts.** *", caller(), "alerts.ops"));
        assertTrue(subscribes("subscribe alerts.** *", caller("anything"), "alerts.ops"));
    }

    @Test
    void namedGroupsAllowOnlyTheirMembers() {
        String rules = "publish alerts.ops.* ops,producers";
        TopicPermissions permissions = new TopicPermissions(rules);

        assertTrue(permissions.allows(caller("ops"), Action.PUBLISH, "alerts.ops.db"));
        assertTrue(permissions.allows(caller("producers"), Action.PUBLISH, "alerts.ops.db"));
        assertTrue(permissions.allows(caller("viewers", "producers"), Action.PUBLISH, "alerts.ops.db"));
        assertFalse(permissions.allows(caller("viewers"), Action.PUBLISH, "alerts.ops.db"));
        assertFalse(permissions.allows(caller(), Action.PUBLISH, "alerts.ops.db"));
        assertFalse(permissions.allows(caller("Ops"), Action.PUBLISH, "alerts.ops.db"));
    }

    @Test
    void aRuleAllowsOnlyItsOwnAction() {
        TopicPermissions permissions = new TopicPermissions("subscribe alerts.** *");

        assertTrue(permissions.allows(caller("ops"), Action.SUBSCRIBE, "alerts.ops"));
        assertFalse(permissions.allows(caller("ops"), Action.PUBLISH, "alerts.ops"));
    }

    @Test
    void aCallerMayActIfAnyRuleAllowsIt() {
        TopicPermissions permissions = new TopicPermissions("subscribe alerts.** *; publish alerts.ops.* ops,producers; "
                + "publish alerts.db.* dba");

        assertTrue(permissions.allows(caller("viewers"), Action.SUBSCRIBE, "alerts.ops.db"));
        assertTrue(permissions.allows(caller("ops"), Action.PUBLISH, "alerts.ops.db"));
        assertTrue(permissions.allows(caller("dba"), Action.PUBLISH, "alerts.db.replica"));
        assertFalse(permissions.allows(caller("dba"), Action.PUBLISH, "alerts.ops.db"));
        assertFalse(permissions.allows(caller("ops"), Action.PUBLISH, "alerts.db.replica"));
        assertFalse(permissions.allows(caller("viewers"), Action.PUBLISH, "alerts.ops.db"));
    }

    @Test
    void toleratesExtraWhitespaceEmptyRulesAndAnyCaseOfTheAction() {
        TopicPermissions permissions = new TopicPermissions("  SUBSCRIBE\talerts.**   ops ;; ;Publish alerts.ops.* ops;");

        assertTrue(permissions.allows(caller("ops"), Action.SUBSCRIBE, "alerts.x"));
        assertTrue(permissions.allows(caller("ops"), Action.PUBLISH, "alerts.ops.x"));
        assertFalse(permissions.allows(caller("viewers"), Action.SUBSCRIBE, "alerts.x"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"subscribe alerts.**", "subscribe", "subscribe alerts.** ops extra", "delete alerts.** *",
            "subscribe alerts.** *; publish alerts.ops.*"})
    void rejectsAMalformedRule(String rules) {
        assertThrows(IllegalArgumentException.class, () -> new TopicPermissions(rules));
    }
}
