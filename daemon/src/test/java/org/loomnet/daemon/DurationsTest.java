package org.loomnet.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DurationsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "500ms      | PT0.5S",
            "30s        | PT30S",
            "15m        | PT15M",
            "24h        | PT24H",
            "7d         | PT168H",
            "' 90s '    | PT1M30S",
            "PT15M      | PT15M",
            "pt1h30m    | PT1H30M",
            "P2D        | PT48H",
            "P1DT12H    | PT36H",
            "PT0.25S    | PT0.25S",
            "36500d     | PT876000H"})
    void acceptsAUnitOrIso8601(String text, String iso) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''            | empty duration",
            "30            | '30' has no unit",
            "30 s          | '30 s' is not a duration",
            "30S           | '30S' is not a duration",
            "1.5h          | '1.5h' is not a duration",
            "-5s           | '-5s' is not a duration",
            "1w            | '1w' is not a duration",
            "forever       | 'forever' is not a duration",
            "PT            | 'PT' is not an ISO-8601 duration",
            "P1Y           | 'P1Y' is not an ISO-8601 duration",
            "0s            | '0s': the duration must be longer than zero",
            "PT0S          | 'PT0S': the duration must be longer than zero",
            "PT-5S         | 'PT-5S': the duration must be longer than zero",
            "-PT5S         | '-PT5S': the duration must be longer than zero",
            "36501d        | '36501d' is too long a duration; at most 36500d (100 years)",
            "999999999999999999d | is too long a duration; at most 36500d (100 years)",
            "P99999999999D | is too long a duration"})
    void rejectsWithAOneLineMessageSayingWhatIsWrong(String text, String problem) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(problem)
                .hasMessageNotContaining("\n");
    }

    @Test
    void theMessageShowsTheAcceptedForms() {
        assertThatThrownBy(() -> Durations.parse("soon")).hasMessage("'soon' is not a duration; expected a whole "
                + "number and a unit (ms, s, m, h, d) such as 30s, 15m, 24h, 7d, or ISO-8601 such as PT15M");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "PT24H     | 1d",
            "PT168H    | 7d",
            "PT5M      | 5m",
            "PT60S     | 1m",
            "PT90S     | 90s",
            "PT2H      | 2h",
            "PT1.5S    | 1500ms",
            "PT0.001S  | 1ms"})
    void formatsInTheLargestExactUnitAndReadsBack(String iso, String text) {
        Duration d = Duration.parse(iso);
        assertThat(Durations.format(d)).isEqualTo(text);
        assertThat(Durations.parse(Durations.format(d))).isEqualTo(d);
    }

    @Test
    void whatMillisecondsCannotHoldIsWrittenAsIso8601() {
        assertThat(Durations.format(Duration.ofNanos(1500))).isEqualTo("PT0.0000015S");
    }
}
