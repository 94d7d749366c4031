package org.loomnet.daemon.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * An aligned plain-text table for the client subcommands: a header row, then rows, each column
 * as wide as its widest cell, columns two spaces apart; numbers could be right-aligned by
 * marking their column.
 */
final class TextTable {

    private final List<String> header;
    private final boolean[] right;
    private final List<List<String>> rows = new ArrayList<>();

    /**
     * @param columns the column headings; a heading ending in {@code >} right-aligns its column
     *                (the {@code >} is not shown)
     */
    TextTable(String... columns) {
        header = new ArrayList<>();
        right = new boolean[columns.length];
        for (int i = 0; i < columns.length; i++) {
            right[i] = columns[i].endsWith(">");
            header.add(right[i] ? columns[i].substring(0, columns[i].length() - 1) : columns[i]);
        }
    }

    TextTable row(Object... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException(cells.length + " cells for " + header.size() + " columns");
        }
        List<String> r = new ArrayList<>();
        for (Object c : cells) {
            r.add(c == null ? "-" : c.toString());
        }
        rows.add(r);
        return this;
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    @Override
    public String toString() {
        int[] width = new int[header.size()];
        for (List<String> r : concat()) {
            for (int i = 0; i < r.size(); i++) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (List<String> r : concat()) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.size(); i++) {
                String cell = r.get(i);
                String pad = " ".repeat(width[i] - cell.length());
                line.append(right[i] ? pad + cell : cell + (i == r.size() - 1 ? "" : pad));
                if (i < r.size() - 1) {
                    line.append("  ");
                }
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    private List<List<String>> concat() {
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        return all;
    }
}
