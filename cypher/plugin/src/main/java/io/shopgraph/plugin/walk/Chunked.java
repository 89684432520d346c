package io.shopgraph.plugin.walk;

import java.util.Arrays;

/**
 * A persistent array of ints in chunks of {@value #SIZE}: an edit copies only the chunks it
 * writes and the chunk directory, so a new version of a large array costs what changed, not its
 * length. Positions never written read as the fill value. Immutable; {@link Editor} makes the
 * next version.
 */
final class Chunked {

    private static final int BITS = 12;
    /** Values per chunk. */
    static final int SIZE = 1 << BITS;
    private static final int MASK = SIZE - 1;

    private final int[][] chunks;
    private final int fill;

    private Chunked(int[][] chunks, int fill) {
        this.chunks = chunks;
        this.fill = fill;
    }

    /** An array of {@code fill} everywhere. */
    static Chunked filled(int fill) {
        return new Chunked(new int[0][], fill);
    }

    int get(int index) {
        int chunk = index >>> BITS;
        if (index < 0 || chunk >= chunks.length || chunks[chunk] == null) {
            return fill;
        }
        return chunks[chunk][index & MASK];
    }

    /** Approximate heap bytes. */
    long bytes() {
        long bytes = 16L + 8L * chunks.length;
        for (int[] chunk : chunks) {
            if (chunk != null) {
                bytes += 16L + 4L * SIZE;
            }
        }
        return bytes;
    }

    /** Starts the next version. */
    Editor edit() {
        return new Editor(this);
    }

    /** Writes into copies of the chunks it touches. Not thread-safe; use once. */
    static final class Editor {
        private int[][] chunks;
        private final int fill;
        private final boolean[] copied;
        private boolean[] grownCopied;

        private Editor(Chunked from) {
            this.chunks = from.chunks.clone();
            this.fill = from.fill;
            this.copied = new boolean[chunks.length];
        }

        int get(int index) {
            int chunk = index >>> BITS;
            if (chunk >= chunks.length || chunks[chunk] == null) {
                return fill;
            }
            return chunks[chunk][index & MASK];
        }

        void set(int index, int value) {
            int chunk = index >>> BITS;
            if (chunk >= chunks.length) {
                chunks = Arrays.copyOf(chunks, Math.max(chunk + 1, chunks.length * 2));
            }
            if (!copied(chunk)) {
                int[] copy;
                if (chunks[chunk] == null) {
                    copy = new int[SIZE];
                    Arrays.fill(copy, fill);
                } else {
                    copy = chunks[chunk].clone();
                }
                chunks[chunk] = copy;
                markCopied(chunk);
            }
            chunks[chunk][index & MASK] = value;
        }

        private boolean copied(int chunk) {
            if (chunk < copied.length) {
                return copied[chunk];
            }
            return grownCopied != null && chunk < grownCopied.length && grownCopied[chunk];
        }

        private void markCopied(int chunk) {
            if (chunk < copied.length) {
                copied[chunk] = true;
                return;
            }
            if (grownCopied == null || chunk >= grownCopied.length) {
                grownCopied = Arrays.copyOf(grownCopied == null ? new boolean[0] : grownCopied,
                        Math.max(chunk + 1, chunks.length));
            }
            grownCopied[chunk] = true;
        }

        Chunked done() {
            return new Chunked(chunks, fill);
        }
    }
}
