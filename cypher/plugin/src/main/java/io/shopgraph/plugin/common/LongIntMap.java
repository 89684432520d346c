package io.shopgraph.plugin.common;

/**
 * A {@code long -> int} hash map without boxing (open addressing, linear probing); values are
 * dense slots chosen by the caller. {@link #get} answers -1 for an absent key. Keys and values
 * share one array, so a probe touches one cache line.
 */
public final class LongIntMap {
    private static final long EMPTY = Long.MIN_VALUE;

    private long[] table; // key at 2n, value at 2n + 1
    private int size;
    private int mask;

    public LongIntMap(int expected) {
        int capacity = Integer.highestOneBit(Math.max(8, expected) * 2 - 1) << 1;
        table = new long[2 * capacity];
        clearKeys(table);
        mask = capacity - 1;
    }

    public int size() {
        return size;
    }

    /** How many keys the table has room for before it grows (twice that many slots). */
    public int capacity() {
        return (mask + 1) / 2;
    }

    /** The value of {@code key}, or -1. */
    public int get(long key) {
        int slot = slot(key);
        while (table[2 * slot] != EMPTY) {
            if (table[2 * slot] == key) {
                return (int) table[2 * slot + 1];
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    /**
     * The value of {@code key}; if absent, sets it to {@code value} and answers {@code -1 - value}
     * (negative: the caller knows it is new). One probe instead of {@link #get} then {@link #put}.
     */
    public int getOrPut(long key, int value) {
        requireKey(key);
        if (2 * (size + 1) > mask + 1) {
            grow();
        }
        int slot = slot(key);
        while (table[2 * slot] != EMPTY) {
            if (table[2 * slot] == key) {
                return (int) table[2 * slot + 1];
            }
            slot = (slot + 1) & mask;
        }
        table[2 * slot] = key;
        table[2 * slot + 1] = value;
        size++;
        return -1 - value;
    }

    /** Sets {@code key} to {@code value} ({@code key} must not be {@link Long#MIN_VALUE}). */
    public void put(long key, int value) {
        requireKey(key);
        if (2 * (size + 1) > mask + 1) {
            grow();
        }
        int slot = slot(key);
        while (table[2 * slot] != EMPTY && table[2 * slot] != key) {
            slot = (slot + 1) & mask;
        }
        if (table[2 * slot] == EMPTY) {
            size++;
        }
        table[2 * slot] = key;
        table[2 * slot + 1] = value;
    }

    /** A copy that shares nothing with this map. */
    public LongIntMap copy() {
        LongIntMap copy = new LongIntMap(1);
        copy.table = table.clone();
        copy.size = size;
        copy.mask = mask;
        return copy;
    }

    /** Removes every key, keeping the capacity. */
    public void clear() {
        if (size > 0) {
            clearKeys(table);
            size = 0;
        }
    }

    private static void requireKey(long key) {
        if (key == EMPTY) {
            throw new IllegalArgumentException("LongIntMap cannot hold the key " + EMPTY + ".");
        }
    }

    private static void clearKeys(long[] table) {
        for (int n = 0; n < table.length; n += 2) {
            table[n] = EMPTY;
        }
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    private void grow() {
        long[] old = table;
        table = new long[old.length * 2];
        clearKeys(table);
        mask = table.length / 2 - 1;
        size = 0;
        for (int n = 0; n < old.length; n += 2) {
            if (old[n] != EMPTY) {
                put(old[n], (int) old[n + 1]);
            }
        }
    }
}
