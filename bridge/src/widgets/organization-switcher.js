export { OrganizationSwitcher as default } from "@workos-inc/widgets/organization-switcher";
