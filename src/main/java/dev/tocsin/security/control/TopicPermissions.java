package dev.tocsin.security.control;

import dev.tocsin.security.entity.Action;
import dev.tocsin.security.entity.Caller;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Which groups may subscribe to or publish on which topics. Rules are written
 * {@code ACTION PATTERN GROUP[,GROUP...]} and separated by {@code ;}, for example
 * {@code subscribe alerts.** *; publish alerts.ops.* ops,producers}. In a pattern {@code *} matches
 * one dot-separated segment and a final {@code **} matches one or more; the group {@code *} is any
 * authenticated caller. A caller may act if any rule allows it; nothing is allowed by default.
 */
public final class TopicPermissions {

    private record Rule(Action action, String[] pattern, Set<String> groups) {
        boolean allows(Action wanted, String[] topic, Set<String> callerGroups) {
            return action == wanted && matches(pattern, topic)
                    && (groups.contains("*") || callerGroups.stream().anyMatch(groups::contains));
        }
    }

    private final List<Rule> rules;

    public TopicPermissions(String rules) {
        this.rules = rules == null ? List.of() : Arrays.stream(rules.split(";"))
                .map(String::strip).filter(r -> !r.isEmpty()).map(TopicPermissions::rule).toList();
    }

    private static Rule rule(String text) {
        String[] words = text.split("\\s+");
        if (words.length != 3) {
            throw new IllegalArgumentException("topic rule '" + text + "' is not 'ACTION PATTERN GROUPS'");
        }
        return new Rule(Action.parse(words[0]), words[1].split("\\."), Set.of(words[2].split(",")));
    }

    public boolean allows(Caller caller, Action action, String topic) {
        String[] segments = topic.split("\\.");
        return rules.stream().anyMatch(rule -> rule.allows(action, segments, caller.groups()));
    }

    static boolean matches(String[] pattern, String[] topic) {
        for (int i = 0; i < pattern.length; i++) {
            if ("**".equals(pattern[i]) && i == pattern.length - 1) {
                return topic.length > i;
            }
            if (i >= topic.length || !("*".equals(pattern[i]) || pattern[i].equals(topic[i]))) {
                return false;
            }
        }
        return pattern.length == topic.length;
    }
}
