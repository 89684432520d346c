package io.shopgraph.plugin.walk;

import java.util.Arrays;

/**
 * Counts per int key (an open-addressing hash table with linear probing), keeping keys in
 * first-seen order at dense positions {@code 0 .. size() - 1}. Sized for the few thousand
 * items a walk visits, not the whole catalogue.
 */
final class IntCounter {
    private int[] slots;
    private int mask;
    private int[] keys;
    private int[] counts;
    private int size;

    IntCounter(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        slots = new int[capacity];
        mask = capacity - 1;
        keys = new int[capacity / 2];
        counts = new int[capacity / 2];
    }

    /** Adds {@code delta} to the count of {@code key} and returns the key's dense position. */
    int add(int key, int delta) {
        int slot = mix(key) & mask;
        while (true) {
            int position = slots[slot] - 1;
            if (position < 0) {
                break;
            }
            if (keys[position] == key) {
                counts[position] += delta;
                return position;
            }
            slot = (slot + 1) & mask;
        }
        if (size == keys.length) {
            grow();
            return add(key, delta);
        }
        keys[size] = key;
        counts[size] = delta;
        slots[slot] = ++size;
        return size - 1;
    }

    /** Number of distinct keys. */
    int size() {
        return size;
    }

    /** The key at a dense position. */
    int key(int position) {
        return keys[position];
    }

    /** The count at a dense position. */
    int count(int position) {
        return counts[position];
    }

    /** Forgets all keys, keeping the capacity. */
    void clear() {
        Arrays.fill(slots, 0);
        size = 0;
    }

    private void grow() {
        int capacity = slots.length * 2;
        slots = new int[capacity];
        mask = capacity - 1;
        keys = Arrays.copyOf(keys, capacity / 2);
        counts = Arrays.copyOf(counts, capacity / 2);
        for (int position = 0; position < size; position++) {
            int slot = mix(keys[position]) & mask;
            while (slots[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            slots[slot] = position + 1;
        }
    }

    private static int mix(int key) {
        int h = key * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
