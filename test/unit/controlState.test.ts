import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  buildMenu, completionAllowed, completionBlock, CONTROL_COMMANDS, describeBlock, formatClockTime, toggleTarget, VSCODE_SNOOZE_COMMAND,
  type CompletionControlState, type MenuContext,
} from "../../src/extension/controls/controlState";

const NOW = 1_000_000;
const on: CompletionControlState = { enabled: true, languageId: "markdown", languageEnabled: true };
const time = () => "14:20";

function menu(controls: CompletionControlState, extra: Partial<MenuContext> = {}) {
  return buildMenu({ controls, now: NOW, needsSetup: false, vscodeSnoozeAvailable: false, formatTime: time, ...extra });
}

describe("completion controls", () => {
  test("why completions do not show, in the order a user undoes them", () => {
    assert.equal(completionBlock(on, NOW), undefined);
    assert.deepEqual(completionBlock({ ...on, enabled: false, languageEnabled: false }, NOW), { kind: "off" });
    assert.deepEqual(completionBlock({ ...on, languageEnabled: false }, NOW), { kind: "offForLanguage", languageId: "markdown" });
    assert.deepEqual(completionBlock({ ...on, snoozedUntil: NOW + 60_000 }, NOW), { kind: "snoozed", until: NOW + 60_000 });
    assert.equal(completionBlock({ ...on, snoozedUntil: NOW - 1 }, NOW), undefined, "an ended snooze blocks nothing");
    // Off everywhere but on for this language (an override): completions show here.
    assert.equal(completionBlock({ ...on, enabled: false, languageEnabled: true }, NOW), undefined);
  });

  test("the status words", () => {
    assert.equal(describeBlock({ kind: "off" }, time), "off");
    assert.equal(describeBlock({ kind: "offForLanguage", languageId: "markdown" }, time), "off for markdown");
    assert.equal(describeBlock({ kind: "snoozed", until: NOW }, time), "snoozed until 14:20");
    assert.match(formatClockTime(new Date(2026, 0, 1, 9, 5).getTime()), /^09:05$/);
  });

  test("a completion is asked for only when on for the language and not snoozed", () => {
    assert.equal(completionAllowed(true, undefined, NOW), true);
    assert.equal(completionAllowed(false, undefined, NOW), false);
    assert.equal(completionAllowed(true, NOW + 1, NOW), false);
    assert.equal(completionAllowed(true, NOW, NOW), true);
  });

  test("the menu offers the opposite of the current state, for everywhere and the current language", () => {
    const commands = menu(on).map((entry) => entry.command);
    assert.ok(commands.includes(CONTROL_COMMANDS.turnOff));
    assert.ok(commands.includes(CONTROL_COMMANDS.turnOffForLanguage));
    const offHere = menu({ ...on, languageEnabled: false });
    const turnOn = offHere.find((entry) => entry.command === CONTROL_COMMANDS.turnOnForLanguage);
    assert.equal(turnOn?.label, "$(check) Turn on for markdown");
    assert.deepEqual(turnOn?.args, ["markdown"]);
    const offEverywhere = menu({ ...on, enabled: false, languageEnabled: false }).map((entry) => entry.command);
    assert.ok(offEverywhere.includes(CONTROL_COMMANDS.turnOn));
    assert.ok(!offEverywhere.includes(CONTROL_COMMANDS.turnOnForLanguage), "off everywhere: one switch, not two");
  });

  test("snooze for 5, 15 or 60 minutes, or cancel a snooze that runs", () => {
    const snoozes = menu(on).filter((entry) => entry.command === CONTROL_COMMANDS.snooze);
    assert.deepEqual(snoozes.map((entry) => entry.args), [[5], [15], [60]]);
    const snoozed = menu({ ...on, snoozedUntil: NOW + 1 });
    assert.equal(snoozed.filter((entry) => entry.command === CONTROL_COMMANDS.snooze).length, 0);
    assert.equal(snoozed.find((entry) => entry.command === CONTROL_COMMANDS.cancelSnooze)?.description, "snoozed until 14:20");
  });

  test("VS Code's own snooze is offered only where the running VS Code has it", () => {
    assert.ok(!menu(on).some((entry) => entry.command === VSCODE_SNOOZE_COMMAND));
    assert.ok(menu(on, { vscodeSnoozeAvailable: true }).some((entry) => entry.command === VSCODE_SNOOZE_COMMAND));
  });

  test("model, Doctor, statistics, logs and restart are always there; set-up comes first when there is no model", () => {
    const commands = menu(on).map((entry) => entry.command);
    for (const command of [CONTROL_COMMANDS.selectModel, CONTROL_COMMANDS.doctor, CONTROL_COMMANDS.showStatistics, CONTROL_COMMANDS.showLogs, CONTROL_COMMANDS.restartServer]) {
      assert.ok(commands.includes(command), command);
    }
    assert.equal(menu(on, { needsSetup: true })[0]?.command, CONTROL_COMMANDS.setUp);
  });

  test("a toggle writes the settings layer whose value wins", () => {
    assert.equal(toggleTarget(undefined, false), "global");
    assert.equal(toggleTarget({ globalValue: false }, false), "global");
    assert.equal(toggleTarget({ workspaceValue: false, globalValue: true }, false), "workspace");
    assert.equal(toggleTarget({ workspaceFolderValue: false }, false), "workspaceFolder");
    assert.equal(toggleTarget({ workspaceValue: true }, true), "global", "a language toggle looks at language values only");
    assert.equal(toggleTarget({ workspaceLanguageValue: false }, true), "workspace");
  });
});
