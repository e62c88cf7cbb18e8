import { describe, expect, it } from "vitest";
import type { SyncView } from "../api/generated/station/SyncView";
import { quarantineReason, syncErrorText, syncLine } from "./sync-line";

function view(over: { pending?: number; last_success?: string | null; last_error?: string | null; syncing?: boolean; offline?: boolean; running?: boolean; quarantined?: number; clock?: number | null } = {}): SyncView {
  return {
    status: {
      pending: over.pending ?? 0,
      last_seq: 10,
      acked_through: 10 - (over.pending ?? 0),
      cursor: 4,
      last_success: over.last_success ?? null,
      last_error: over.last_error ?? null,
      quarantined: Array.from({ length: over.quarantined ?? 0 }, (_, i) => ({
        seq: i + 1,
        event_id: `e${i}`,
        code: "unknown_item",
        reason: "the central knows no item x",
        noticed_at: "2022-08-06T01:30:00Z",
      })),
      clock_off_by_seconds: over.clock ?? null,
    },
    live: { syncing: over.syncing ?? false, offline: over.offline ?? false, failures: 0 },
    running: over.running ?? true,
  };
}

describe("the sync line", () => {
  it("asks the volunteer to set a wrong clock, ahead or behind, in words", () => {
    expect(syncLine(view(), "zh-CN").clock).toBeNull();
    expect(syncLine(view({ clock: 5 * 3600 + 40 }), "zh-CN").clock).toBe(
      "本平板时间比中心快约 5 小时，请校准平板时间（当天计划与站点时段以平板时间为准）",
    );
    expect(syncLine(view({ clock: -1200 }), "zh-CN").clock).toContain("慢约 20 分钟");
    expect(syncLine(view({ clock: -3 * 86400 }), "en").clock).toContain("about 3 days behind");
  });

  it("counts pending events and shows the last sync in China time", () => {
    const line = syncLine(view({ pending: 3, last_success: "2022-08-06T01:30:00Z" }), "zh-CN");
    expect(line.pending).toBe("待同步 3 条");
    expect(line.last, "01:30 UTC is 09:30 in Jieyang").toBe("上次同步 8月6日 09:30");
    expect(line.state).toBe("ok");
    expect(line.error).toBeNull();
  });

  it("says when it never synced", () => {
    expect(syncLine(view(), "zh-CN").last).toBe("尚未同步");
  });

  it("treats offline as a state, not an error", () => {
    const line = syncLine(view({ offline: true }), "zh-CN");
    expect(line.state, "no network is normal at a station").toBe("offline");
    expect(line.stateLabel).toBe("离线");
    expect(line.error).toBeNull();
  });

  it("puts the last error in plain Chinese words", () => {
    const line = syncLine(
      view({ last_error: "the central no longer accepts this device; ask the secretariat to enroll it again" }),
      "zh-CN",
    );
    expect(line.state).toBe("error");
    expect(line.error, "the volunteer learns what to do").toBe("同步出错：中心不再接受本平板，请联系秘书处重新登记");
  });

  it("tells the volunteer an untrusted certificate is the secretariat's to fix, not the network", () => {
    // The words SyncError::plain gives (tests/tests/it/https.rs checks the Rust side).
    const untrusted = syncErrorText(
      "secure connection to the central failed: the central's certificate is not trusted (UnknownIssuer)",
      "zh-CN",
    );
    expect(untrusted).toContain("不信任中心的证书");
    expect(untrusted, "what to install, by name").toContain("secretariat-ca.pem");
    expect(untrusted, "the technical cause stays for whoever fixes it").toContain("UnknownIssuer");
    expect(
      syncErrorText(
        "cannot set up the connection to the central: the extra root certificate cannot be used: no -----BEGIN CERTIFICATE----- block found",
        "en",
      ),
    ).toBe(
      "The secretariat's root certificate on this tablet cannot be used; ask the secretariat to install it again (the extra root certificate cannot be used: no -----BEGIN CERTIFICATE----- block found)",
    );
  });

  it("keeps the central's explanation for other refusals", () => {
    expect(syncErrorText("the central refused the request (400): bad batch", "zh-CN")).toBe(
      "中心拒绝了同步（the central refused the request (400): bad batch）",
    );
    expect(syncErrorText("local store: database error: disk full", "en")).toBe("Local storage failed: database error: disk full");
  });

  it("shows a sync in progress and an unenrolled device", () => {
    expect(syncLine(view({ syncing: true }), "zh-CN").stateLabel).toBe("正在同步…");
    expect(syncLine(view({ running: false }), "zh-CN").state).toBe("idle");
  });

  it("counts quarantined events and explains each", () => {
    const v = view({ quarantined: 2 });
    expect(syncLine(v, "zh-CN").quarantined).toBe("2 条被隔离");
    const first = v.status.quarantined[0];
    expect(first && quarantineReason(first, "zh-CN"), "a known code reads in Chinese, with the central's words").toBe(
      "中心没有这种礼品 (the central knows no item x)",
    );
    expect(
      quarantineReason({ ...first!, code: "novel_code", reason: "why" }, "zh-CN"),
      "an unknown code falls back to the central's words",
    ).toBe("why");
  });

  it("explains in Chinese why a top-up request was quarantined", () => {
    const first = view({ quarantined: 1 }).status.quarantined[0]!;
    for (const code of ["plan_not_approved", "duplicate_top_up_request", "note_too_long", "plan_of_other_unit"]) {
      const text = quarantineReason({ ...first, code, reason: "r" }, "zh-CN");
      expect(text, code).not.toBe("r");
      expect(text, code).toMatch(/[\u4e00-\u9fff]/);
      expect(quarantineReason({ ...first, code, reason: "r" }, "en"), code).not.toBe("r");
    }
    expect(quarantineReason({ ...first, code: "plan_not_approved", reason: "r" }, "zh-CN")).toContain("追加申请");
  });

  it("explains in Chinese why a lottery entry was quarantined (issue 12)", () => {
    const first = view({ quarantined: 1 }).status.quarantined[0]!;
    for (const code of ["phone_unreadable", "lottery_closed", "duplicate_entrant", "consent_missing"]) {
      const text = quarantineReason({ ...first, code, reason: "r" }, "zh-CN");
      expect(text, code).toMatch(/[\u4e00-\u9fff]/);
      expect(quarantineReason({ ...first, code, reason: "r" }, "en"), code).not.toBe("r");
    }
    expect(quarantineReason({ ...first, code: "phone_unreadable", reason: "r" }, "zh-CN")).toContain("无法解开");
    expect(quarantineReason({ ...first, code: "lottery_closed", reason: "r" }, "zh-CN")).toContain("已截止");
  });
});
