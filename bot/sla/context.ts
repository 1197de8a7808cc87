/** What every part of the SLA engine reads: the live configuration (replaced on reload) and the calendar. */
import type { ChannelConfig, RoleConfig, ServiceConfig, TawasulConfig } from '../../config/schema.js';
import type { WorkingCalendar } from '../calendar/working-calendar.js';

/** The configuration indexed by id, swappable at run time. */
export class SlaContext {
  config!: TawasulConfig;
  services = new Map<string, ServiceConfig>();
  roles = new Map<string, RoleConfig>();
  channels = new Map<string, ChannelConfig>();
  departments = new Map<string, TawasulConfig['departments'][number]>();

  constructor(
    config: TawasulConfig,
    readonly calendar: WorkingCalendar,
  ) {
    this.setConfig(config);
  }

  /** Replaces the configuration (the calendar is replaced separately, by the holiday admin). */
  setConfig(config: TawasulConfig): void {
    this.config = config;
    this.services = new Map(config.services.map((s) => [s.id, s]));
    this.roles = new Map(config.roles.map((r) => [r.id, r]));
    this.channels = new Map(config.channels.map((c) => [c.id, c]));
    this.departments = new Map(config.departments.map((d) => [d.id, d]));
  }

  /** When escalations and staff messages may go out. */
  get staffHours(): TawasulConfig['sla']['staffHours'] {
    return this.config.sla.staffHours;
  }
}
