package io.shopgraph.plugin.bundle;

/**
 * A binary heap of {@code int}s (candidate slots) under a caller's order, without boxing:
 * {@link #add} then {@link #heapify} builds it in {@code O(n)}; {@link #push} and {@link #pop}
 * cost {@code O(log n)}. It grows as needed.
 */
final class IntHeap {

    /** The heap's order. */
    @FunctionalInterface
    interface Order {
        /** Whether {@code a} comes out before {@code b}. */
        boolean before(int a, int b);
    }

    private int[] heap;
    private final Order order;
    private int size;

    IntHeap(int capacity, Order order) {
        this.heap = new int[Math.max(1, capacity)];
        this.order = order;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Appends without ordering; call {@link #heapify} before the first {@link #pop}. */
    void add(int value) {
        room();
        heap[size++] = value;
    }

    void heapify() {
        for (int n = size / 2 - 1; n >= 0; n--) {
            down(n);
        }
    }

    void push(int value) {
        room();
        int n = size++;
        heap[n] = value;
        while (n > 0) {
            int parent = (n - 1) / 2;
            if (!order.before(heap[n], heap[parent])) {
                return;
            }
            swap(n, parent);
            n = parent;
        }
    }

    int peek() {
        return heap[0];
    }

    int pop() {
        int top = heap[0];
        heap[0] = heap[--size];
        down(0);
        return top;
    }

    private void down(int n) {
        while (true) {
            int left = 2 * n + 1;
            if (left >= size) {
                return;
            }
            int best = left + 1 < size && order.before(heap[left + 1], heap[left]) ? left + 1 : left;
            if (!order.before(heap[best], heap[n])) {
                return;
            }
            swap(n, best);
            n = best;
        }
    }

    private void room() {
        if (size == heap.length) {
            heap = java.util.Arrays.copyOf(heap, size * 2);
        }
    }

    private void swap(int a, int b) {
        int value = heap[a];
        heap[a] = heap[b];
        heap[b] = value;
    }
}
