import type { StateSource } from './contract.js';

/** Holds a service's current state and tells subscribers about every change. */
export class StateChannel<T> implements StateSource<T> {
  private value: T | undefined;
  private readonly listeners = new Set<(value: T) => void>();

  constructor(initial?: T) {
    this.value = initial;
  }

  current(): T | undefined {
    return this.value;
  }

  set(value: T): void {
    this.value = value;
    for (const listener of [...this.listeners]) listener(value);
  }

  subscribe(listener: (value: T) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
