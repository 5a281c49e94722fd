/**
 * Follows the suggestion on screen from the moment it is offered until it ends (accepted whole, taken
 * in steps, or dismissed). Pure: it sees offers, accept commands and document edits as plain data.
 */
import type { SuggestionOutcome } from "./suggestionStatistics";

export interface OfferedSuggestion {
  readonly uri: string;
  readonly languageId: string;
  /** Document offset where the suggestion's text starts (the cursor). */
  readonly offset: number;
  readonly text: string;
  readonly latencyMs: number;
}

/** One content change of a document, as offsets. */
export interface TextEdit {
  readonly offset: number;
  readonly removedLength: number;
  readonly text: string;
}

export interface SuggestionSink {
  shown(languageId: string, latencyMs: number): void;
  ended(languageId: string, outcome: SuggestionOutcome): void;
}

interface Tracked {
  readonly id: number;
  readonly uri: string;
  readonly languageId: string;
  /** Where the not yet accepted rest starts. */
  offset: number;
  rest: string;
  words: number;
  lines: number;
  /** The whole rest was inserted in one edit; VS Code's accept command normally follows. */
  wholeInserted: boolean;
  /** An edit that is not a step of this suggestion: it ends with the next offer, unless its accept command still comes. */
  diverged: boolean;
}

export class SuggestionTracker {
  private current: Tracked | undefined;
  private nextId = 1;

  constructor(private readonly sink: SuggestionSink) {}

  /** Returns the suggestion's id, for the accept command of its items: a continuation keeps the id it had. */
  offered(suggestion: OfferedSuggestion): number {
    const current = this.current;
    // VS Code asks again after each step or typed character; the same rest, where it now starts, is the same suggestion.
    if (current !== undefined && !current.wholeInserted && !current.diverged && current.uri === suggestion.uri &&
        current.offset === suggestion.offset && current.rest === suggestion.text) {
      return current.id;
    }
    this.end();
    const id = this.nextId++;
    this.current = {
      id, uri: suggestion.uri, languageId: suggestion.languageId,
      offset: suggestion.offset, rest: suggestion.text, words: 0, lines: 0, wholeInserted: false, diverged: false,
    };
    this.sink.shown(suggestion.languageId, suggestion.latencyMs);
    return id;
  }

  /** The suggestion's own command ran: VS Code accepted it whole. */
  accepted(id: number): void {
    const current = this.current;
    if (current === undefined || current.id !== id) return;
    current.wholeInserted = true;
    this.end();
  }

  edited(uri: string, edits: readonly TextEdit[]): void {
    const current = this.current;
    if (current === undefined || current.uri !== uri || edits.length === 0) return;
    if (current.wholeInserted || current.diverged) return;
    const edit = edits.length === 1 ? edits[0] : undefined;
    if (edit === undefined || edit.removedLength !== 0 || edit.offset !== current.offset || edit.text === "" || !current.rest.startsWith(edit.text)) {
      // VS Code may apply an accepted suggestion with adjustments (indentation, a replaced range): its command decides.
      current.diverged = true;
      return;
    }
    if (edit.text === current.rest) {
      current.wholeInserted = true;
      return;
    }
    // Accept Next Line inserts through a line break; Accept Next Word a word. One character is indistinguishable from typing.
    if (edit.text.includes("\n")) current.lines++;
    else if (edit.text.length > 1) current.words++;
    current.offset += edit.text.length;
    current.rest = current.rest.slice(edit.text.length);
  }

  /** Ends the suggestion on screen, if any (also when the window closes). */
  end(): void {
    const current = this.current;
    if (current === undefined) return;
    this.current = undefined;
    this.sink.ended(current.languageId, { whole: current.wholeInserted, words: current.words, lines: current.lines });
  }
}
