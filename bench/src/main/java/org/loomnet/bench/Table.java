package org.loomnet.bench;

import java.util.List;
import java.util.Locale;

/** The results as a Markdown table, for the terminal and for docs/benchmarks.md alike. */
final class Table {

    private Table() {
    }

    /**
     * @param results the results, in the order run
     * @param smoke   a smoke run: its figures say nothing about the targets, so no verdict is given
     * @return the table, one line per result, then the notes below it
     */
    static String render(List<Result> results, boolean smoke) {
        StringBuilder s = new StringBuilder();
        s.append("| # | benchmark | case | unit | LoomNet median (min–max) | plain socket median (min–max) "
                + "| ratio | target | verdict |\n");
        s.append("|---|-----------|------|------|-------------------------:|------------------------------:"
                + "|------:|--------|---------|\n");
        for (Result r : results) {
            Target.Verdict v = r.verdict();
            s.append("| ").append(r.number())
                    .append(" | ").append(r.benchmark())
                    .append(" | ").append(r.variant())
                    .append(" | ").append(r.unit())
                    .append(" | ").append(stats(r.loomnet()))
                    .append(" | ").append(stats(r.baseline()))
                    .append(" | ").append(String.format(Locale.ROOT, "%.2f", r.ratio()))
                    .append(" | ").append(r.target() == null ? "–" : r.target().text())
                    .append(" | ").append(v == null ? "–" : smoke ? "(smoke run: no verdict)" : v.text())
                    .append(" |\n");
        }
        boolean first = true;
        for (Result r : results) {
            if (!r.notes().isEmpty()) {
                if (first) {
                    s.append('\n');
                    first = false;
                }
                s.append("- ").append(r.number()).append(' ').append(r.benchmark()).append(", ").append(r.variant())
                        .append(": ").append(r.notes()).append('\n');
            }
        }
        return s.toString();
    }

    private static String stats(Stats st) {
        return number(st.median()) + " (" + number(st.min()) + "–" + number(st.max()) + ")";
    }

    /** @return the number with about three significant digits, thousands grouped */
    static String number(double x) {
        double a = Math.abs(x);
        String f = a >= 1000 ? "%,.0f" : a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : "%.2f";
        return String.format(Locale.ROOT, f, x);
    }
}
