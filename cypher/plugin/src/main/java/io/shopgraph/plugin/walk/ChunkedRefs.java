package io.shopgraph.plugin.walk;

import java.util.Arrays;

/**
 * A persistent array of references in chunks of {@value #SIZE}, as {@link Chunked} of ints:
 * positions never written read as null.
 *
 * @param <T> the element type
 */
final class ChunkedRefs<T> {

    private static final int BITS = 12;
    /** Values per chunk. */
    static final int SIZE = 1 << BITS;
    private static final int MASK = SIZE - 1;

    private final Object[][] chunks;
    private ChunkedRefs(Object[][] chunks) {
        this.chunks = chunks;
    }

    /** An array of nulls. */
    static <T> ChunkedRefs<T> empty() {
        return new ChunkedRefs<>(new Object[0][]);
    }

    @SuppressWarnings("unchecked")
    T get(int index) {
        int chunk = index >>> BITS;
        if (index < 0 || chunk >= chunks.length || chunks[chunk] == null) {
            return null;
        }
        return (T) chunks[chunk][index & MASK];
    }

    /** Approximate heap bytes. */
    long bytes() {
        long bytes = 16L + 8L * chunks.length;
        for (Object[] chunk : chunks) {
            if (chunk != null) {
                bytes += 16L + 8L * SIZE;
            }
        }
        return bytes;
    }

    /** Starts the next version. */
    Editor<T> edit() {
        return new Editor<>(this);
    }

    /** Writes into copies of the chunks it touches. Not thread-safe; use once. */
    static final class Editor<T> {
        private Object[][] chunks;
        private final boolean[] copied;
        private boolean[] grownCopied;

        private Editor(ChunkedRefs<T> from) {
            this.chunks = from.chunks.clone();
            this.copied = new boolean[chunks.length];
        }

        @SuppressWarnings("unchecked")
        T get(int index) {
            int chunk = index >>> BITS;
            if (chunk >= chunks.length || chunks[chunk] == null) {
                return null;
            }
            return (T) chunks[chunk][index & MASK];
        }

        void set(int index, T value) {
            int chunk = index >>> BITS;
            if (chunk >= chunks.length) {
                chunks = Arrays.copyOf(chunks, Math.max(chunk + 1, chunks.length * 2));
            }
            if (!copied(chunk)) {
                Object[] copy = chunks[chunk] == null ? new Object[SIZE] : chunks[chunk].clone();
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

        ChunkedRefs<T> done() {
            return new ChunkedRefs<>(chunks);
        }
    }
}
