/** Which sessions are in which room; a room exists while it has members. */
export class Rooms<Member> {
  readonly #members = new Map<string, Set<Member>>();

  add(room: string, member: Member): void {
    let members = this.#members.get(room);
    if (!members) {
      members = new Set();
      this.#members.set(room, members);
    }
    members.add(member);
  }

  remove(room: string, member: Member): void {
    const members = this.#members.get(room);
    if (!members) return;
    members.delete(member);
    if (members.size === 0) this.#members.delete(room);
  }

  members(room: string): Member[] {
    return [...(this.#members.get(room) ?? [])];
  }

  names(): string[] {
    return [...this.#members.keys()];
  }
}
